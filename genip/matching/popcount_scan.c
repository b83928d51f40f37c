/* Exact Hamming-radius scan of 256-bit codes against several queries at once (genip.matching.index).
 *
 * Codes are stored column-wise: word j (0..3) of code i is words[j * stride + i]. A code is a candidate for
 * a query when its first `filter_words` words (2: 128 bits, or 4: all) are within `radius` of the query's:
 * that distance never exceeds the full one, so nothing within the radius is missed. Candidates (about 0.3 %
 * of unrelated codes at radius 48 with a 128-bit filter) are then checked on all four words. The 128-bit
 * filter halves the work where the radius is small against 128 bits (PDQ's 48); where it is not (ORB
 * descriptors' 56 lets ~10 % of unrelated codes through), the caller asks for the full-width filter. The scan walks the codes in blocks small enough to stay
 * in the L1 cache and runs every query over a block before moving on, so each code is read from memory once
 * per call, not once per query.
 *
 * Three versions of the loop, chosen at run time (`level`: the best the CPU has, or lower for tests):
 *   2: AVX-512 with VPOPCNTDQ (Intel Ice Lake, AMD Zen 4 and later): eight codes per instruction sequence;
 *   1: AVX2: four codes, popcount through a 16-entry nibble table (Mula's method);
 *   0: portable C, one code at a time with the compiler's popcount.
 *
 * Returns the number of (code, distance) pairs within the radius; only the first `capacity` are written
 * to `positions` and `distances`, so a caller whose buffers were too small calls again with larger ones.
 */
#include <stdint.h>

#define BLOCK 1024 /* codes per block: 2 words x 8 bytes x 1024 = 16 KiB of first words */

static inline int64_t verify(const uint64_t *words, int64_t stride, int64_t i, const uint64_t *query,
                             int32_t radius, int64_t *positions, int32_t *distances, int64_t capacity,
                             int64_t found)
{
    int32_t distance = 0;
    for (int j = 0; j < 4; j++)
        distance += __builtin_popcountll(words[j * stride + i] ^ query[j]);
    if (distance <= radius) {
        if (found < capacity) {
            positions[found] = i;
            distances[found] = distance;
        }
        found++;
    }
    return found;
}

static int64_t scan_portable(const uint64_t *words, int64_t stride, int64_t n, const uint64_t *queries,
                             int64_t nq, int32_t radius, int filter_words, int64_t *positions,
                             int32_t *distances, int64_t capacity)
{
    const uint64_t *w0 = words, *w1 = words + stride, *w2 = words + 2 * stride, *w3 = words + 3 * stride;
    int64_t found = 0;
    for (int64_t start = 0; start < n; start += BLOCK) {
        const int64_t end = start + BLOCK < n ? start + BLOCK : n;
        for (int64_t k = 0; k < nq; k++) {
            const uint64_t *query = queries + 4 * k;
            for (int64_t i = start; i < end; i++) {
                int32_t d = __builtin_popcountll(w0[i] ^ query[0]) + __builtin_popcountll(w1[i] ^ query[1]);
                if (filter_words == 4)
                    d += __builtin_popcountll(w2[i] ^ query[2]) + __builtin_popcountll(w3[i] ^ query[3]);
                if (__builtin_expect(d <= radius, 0))
                    found = verify(words, stride, i, query, radius, positions, distances, capacity, found);
            }
        }
    }
    return found;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("avx2"))) static inline __m256i byte_popcounts(__m256i x)
{
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                           0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    return _mm256_add_epi8(_mm256_shuffle_epi8(table, _mm256_and_si256(x, low)),
                           _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
}

/* Inlined into the two callers below with a constant `filter_words`, so each gets its own loop. */
__attribute__((target("avx2"), always_inline)) static inline int64_t
scan_avx2_filter(const uint64_t *words, int64_t stride, int64_t n, const uint64_t *queries, int64_t nq,
                 int32_t radius, const int filter_words, int64_t *positions, int32_t *distances,
                 int64_t capacity)
{
    const uint64_t *w0 = words, *w1 = words + stride, *w2 = words + 2 * stride, *w3 = words + 3 * stride;
    const __m256i limit = _mm256_set1_epi64x((int64_t)radius + 1);
    int64_t found = 0;
    for (int64_t start = 0; start < n; start += BLOCK) {
        const int64_t end = start + BLOCK < n ? start + BLOCK : n;
        const int64_t whole = start + ((end - start) & ~(int64_t)3); /* end of the groups of four */
        for (int64_t k = 0; k < nq; k++) {
            const uint64_t *query = queries + 4 * k;
            const __m256i q0 = _mm256_set1_epi64x((int64_t)query[0]);
            const __m256i q1 = _mm256_set1_epi64x((int64_t)query[1]);
            const __m256i q2 = _mm256_set1_epi64x((int64_t)query[2]);
            const __m256i q3 = _mm256_set1_epi64x((int64_t)query[3]);
            for (int64_t i = start; i < whole; i += 4) {
                __m256i x = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(w0 + i)), q0);
                __m256i y = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(w1 + i)), q1);
                /* byte counts are at most 4 x 8, so add them bytewise, then sum 8 bytes per code */
                __m256i counts = _mm256_add_epi8(byte_popcounts(x), byte_popcounts(y));
                if (filter_words == 4) {
                    __m256i z = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(w2 + i)), q2);
                    __m256i t = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(w3 + i)), q3);
                    counts = _mm256_add_epi8(counts, _mm256_add_epi8(byte_popcounts(z), byte_popcounts(t)));
                }
                __m256i sums = _mm256_sad_epu8(counts, _mm256_setzero_si256());
                int near = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(limit, sums)));
                while (__builtin_expect(near != 0, 0)) {
                    int lane = __builtin_ctz((unsigned)near);
                    near &= near - 1;
                    found = verify(words, stride, i + lane, query, radius, positions, distances, capacity,
                                   found);
                }
            }
            for (int64_t i = whole; i < end; i++) /* the last codes of the block, fewer than four */
                found = verify(words, stride, i, query, radius, positions, distances, capacity, found);
        }
    }
    return found;
}

#define AVX512 "avx512f,avx512vpopcntdq"

__attribute__((target(AVX512), always_inline)) static inline int64_t
scan_avx512_filter(const uint64_t *words, int64_t stride, int64_t n, const uint64_t *queries, int64_t nq,
                   int32_t radius, const int filter_words, int64_t *positions, int32_t *distances,
                   int64_t capacity)
{
    const uint64_t *w0 = words, *w1 = words + stride, *w2 = words + 2 * stride, *w3 = words + 3 * stride;
    const __m512i limit = _mm512_set1_epi64((int64_t)radius);
    int64_t found = 0;
    for (int64_t start = 0; start < n; start += BLOCK) {
        const int64_t end = start + BLOCK < n ? start + BLOCK : n;
        const int64_t whole = start + ((end - start) & ~(int64_t)7); /* end of the groups of eight */
        for (int64_t k = 0; k < nq; k++) {
            const uint64_t *query = queries + 4 * k;
            const __m512i q0 = _mm512_set1_epi64((int64_t)query[0]);
            const __m512i q1 = _mm512_set1_epi64((int64_t)query[1]);
            const __m512i q2 = _mm512_set1_epi64((int64_t)query[2]);
            const __m512i q3 = _mm512_set1_epi64((int64_t)query[3]);
            for (int64_t i = start; i < whole; i += 8) {
                __m512i sums = _mm512_add_epi64(
                    _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(w0 + i), q0)),
                    _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(w1 + i), q1)));
                if (filter_words == 4)
                    sums = _mm512_add_epi64(
                        sums, _mm512_add_epi64(
                                  _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(w2 + i), q2)),
                                  _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(w3 + i), q3))));
                unsigned near = _mm512_cmple_epu64_mask(sums, limit);
                while (__builtin_expect(near != 0, 0)) {
                    int lane = __builtin_ctz(near);
                    near &= near - 1;
                    found = verify(words, stride, i + lane, query, radius, positions, distances, capacity,
                                   found);
                }
            }
            for (int64_t i = whole; i < end; i++) /* the last codes of the block, fewer than eight */
                found = verify(words, stride, i, query, radius, positions, distances, capacity, found);
        }
    }
    return found;
}

__attribute__((target(AVX512))) static int64_t scan_avx512(const uint64_t *words, int64_t stride, int64_t n,
                                                           const uint64_t *queries, int64_t nq,
                                                           int32_t radius, int filter_words,
                                                           int64_t *positions, int32_t *distances,
                                                           int64_t capacity)
{
    if (filter_words == 4)
        return scan_avx512_filter(words, stride, n, queries, nq, radius, 4, positions, distances, capacity);
    return scan_avx512_filter(words, stride, n, queries, nq, radius, 2, positions, distances, capacity);
}

__attribute__((target("avx2"))) static int64_t scan_avx2(const uint64_t *words, int64_t stride, int64_t n,
                                                         const uint64_t *queries, int64_t nq, int32_t radius,
                                                         int filter_words, int64_t *positions,
                                                         int32_t *distances, int64_t capacity)
{
    if (filter_words == 4)
        return scan_avx2_filter(words, stride, n, queries, nq, radius, 4, positions, distances, capacity);
    return scan_avx2_filter(words, stride, n, queries, nq, radius, 2, positions, distances, capacity);
}
#endif

/* The best loop this CPU runs: 2 (AVX-512 VPOPCNTDQ), 1 (AVX2) or 0 (portable). */
int genip_scan_level(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq"))
        return 2;
    if (__builtin_cpu_supports("avx2"))
        return 1;
#endif
    return 0;
}

/* `level`: the highest loop to use (the CPU's best is used when it is lower). */
int64_t genip_scan(const uint64_t *words, int64_t stride, int64_t n, const uint64_t *queries, int64_t nq,
                   int32_t radius, int filter_words, int64_t *positions, int32_t *distances, int64_t capacity,
                   int level)
{
    const int usable = level < genip_scan_level() ? level : genip_scan_level();
    filter_words = filter_words == 4 ? 4 : 2;
#if defined(__x86_64__) && defined(__GNUC__)
    if (usable >= 2)
        return scan_avx512(words, stride, n, queries, nq, radius, filter_words, positions, distances, capacity);
    if (usable == 1)
        return scan_avx2(words, stride, n, queries, nq, radius, filter_words, positions, distances, capacity);
#endif
    return scan_portable(words, stride, n, queries, nq, radius, filter_words, positions, distances, capacity);
}
