/* SimHash-64 bit counts over word 3-shingles (genip.content.simhash; built by simhash_build.py, cffi).
 *
 * genip_ascii_words: the words of ASCII text as Python's re.findall(r"\w+", text.casefold()) finds them
 * (for ASCII, \w is [A-Za-z0-9_] and case folding lowers A-Z), lowered and joined by single spaces.
 *
 * genip_simhash_counts: given the words of a text, case-folded, UTF-8, joined by single spaces (a word never
 * contains the byte 0x20: \w excludes the space and UTF-8 continuation bytes are >= 0x80), hashes every
 * run of three consecutive words, spaces included ("a b c"), with BLAKE2b-64 (RFC 7693, digest length 8,
 * no key), read as a big-endian integer as Python's int.from_bytes(blake2b(s, digest_size=8).digest(),
 * "big") does, and adds to counts[bit] the number of shingles whose hash has that bit set. Fewer than three
 * words give no shingle (the caller hashes such a text whole).
 *
 * Python keeps the reference (simhash64_reference) and a test holds both to the same answers.
 */
#include <stdint.h>
#include <string.h>

static const uint64_t IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static inline uint64_t load64(const uint8_t *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

#define G(a, b, c, d, x, y)        \
    do {                           \
        v[a] = v[a] + v[b] + (x);  \
        v[d] = rotr64(v[d] ^ v[a], 32); \
        v[c] = v[c] + v[d];        \
        v[b] = rotr64(v[b] ^ v[c], 24); \
        v[a] = v[a] + v[b] + (y);  \
        v[d] = rotr64(v[d] ^ v[a], 16); \
        v[c] = v[c] + v[d];        \
        v[b] = rotr64(v[b] ^ v[c], 63); \
    } while (0)

#define ROUND(r)                                                   \
    do {                                                           \
        G(0, 4, 8, 12, m[SIGMA[r][0]], m[SIGMA[r][1]]);            \
        G(1, 5, 9, 13, m[SIGMA[r][2]], m[SIGMA[r][3]]);            \
        G(2, 6, 10, 14, m[SIGMA[r][4]], m[SIGMA[r][5]]);           \
        G(3, 7, 11, 15, m[SIGMA[r][6]], m[SIGMA[r][7]]);           \
        G(0, 5, 10, 15, m[SIGMA[r][8]], m[SIGMA[r][9]]);           \
        G(1, 6, 11, 12, m[SIGMA[r][10]], m[SIGMA[r][11]]);         \
        G(2, 7, 8, 13, m[SIGMA[r][12]], m[SIGMA[r][13]]);          \
        G(3, 4, 9, 14, m[SIGMA[r][14]], m[SIGMA[r][15]]);          \
    } while (0)

static void compress(uint64_t h[8], const uint8_t block[128], uint64_t counter, int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = IV[i];
    }
    v[12] ^= counter; /* the high word of the 128-bit counter stays 0: inputs are far below 2^64 bytes */
    if (last) v[14] = ~v[14];
    /* rounds unrolled, so the message schedule is constant and m[] stays in registers */
    ROUND(0);
    ROUND(1);
    ROUND(2);
    ROUND(3);
    ROUND(4);
    ROUND(5);
    ROUND(6);
    ROUND(7);
    ROUND(8);
    ROUND(9);
    ROUND(10);
    ROUND(11);
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

/* BLAKE2b with an 8-byte digest of data[0:len], as the big-endian integer of the digest. */
static uint64_t blake2b_64(const uint8_t *data, size_t len) {
    uint64_t h[8];
    uint8_t block[128];
    uint64_t counter = 0;
    memcpy(h, IV, sizeof h);
    h[0] ^= 0x01010000ULL ^ 8; /* depth 1, fanout 1, no key, digest length 8 */
    while (len > 128) {
        counter += 128;
        compress(h, data, counter, 0);
        data += 128;
        len -= 128;
    }
    memset(block, 0, sizeof block);
    memcpy(block, data, len);
    counter += len;
    compress(h, block, counter, 1);
    /* the digest is h[0]'s first 8 bytes, little-endian; read big-endian that is the byte-swapped word */
    uint64_t x = h[0], out = 0;
    for (int i = 0; i < 8; i++) {
        out = out << 8 | (x & 0xff);
        x >>= 8;
    }
    return out;
}

/* 1 for the bytes of an ASCII word character ([A-Za-z0-9_]), else 0 */
static const uint8_t WORD[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['_'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1,
    ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
};

/* Writes the words of the ASCII text[0:len] to out (at least len bytes), lowered, joined by single spaces;
 * returns the length written. */
int64_t genip_ascii_words(const uint8_t *text, int64_t len, uint8_t *out) {
    int64_t n = 0;
    int in_word = 0;
    for (int64_t i = 0; i < len; i++) {
        uint8_t c = text[i];
        if (WORD[c]) {
            if (!in_word && n > 0) out[n++] = ' '; /* a separator replaced at least one non-word byte */
            out[n++] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
            in_word = 1;
        } else {
            in_word = 0;
        }
    }
    return n;
}

int64_t genip_simhash_counts(const uint8_t *text, int64_t len, int64_t *counts) {
    /* start offsets of the last three words seen, oldest first */
    int64_t starts[3] = {0, 0, 0};
    int64_t words = 0, shingles = 0, i = 0;
    while (i < len) {
        int64_t start = i;
        while (i < len && text[i] != ' ') i++;
        if (i > start) {
            starts[0] = starts[1];
            starts[1] = starts[2];
            starts[2] = start;
            words++;
            if (words >= 3) {
                uint64_t value = blake2b_64(text + starts[0], (size_t)(i - starts[0]));
                for (int bit = 0; bit < 64; bit++) counts[bit] += (int64_t)(value >> bit & 1);
                shingles++;
            }
        }
        i++; /* the space */
    }
    return shingles;
}
