// Every contract error the page can meet, as a plain sentence: the one place they are worded (wallet.ts `explain`
// uses it; flows with their own wording, such as the court's, word a few in context first). Arguments that are
// times are shown as dates, never as epoch seconds; a revert name never reaches the page.

type Args = readonly unknown[];
type Sentence = string | ((args: Args) => string);

/** Epoch seconds (a contract argument) as a readable date and time. */
export function when(value: unknown): string {
  const seconds = typeof value === "bigint" ? Number(value) : Number(value ?? 0);
  if (!Number.isFinite(seconds) || seconds <= 0) return "an earlier date";
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

const NOT_ALLOWED = "You are not allowed to do this; nothing was changed.";
const SETUP = "The marketplace's contracts are not set up for this; nothing was changed.";

export const CONTRACT_ERRORS: Record<string, Sentence> = {
  // Offers and purchases
  OfferNotActive: "This offer is paused by its creator.",
  OfferSoldOut: "This offer is sold out.",
  OfferLapsed: "This offer lapsed: the certificate changed hands since it was made.",
  UnknownOffer: "This offer does not exist.",
  UnknownTerms: "These licence terms are not published on this marketplace.",
  GenerationNeedsDerivatives: "A generation licence must allow derivative works; nothing was changed.",
  AssetNotClear: "This work is not for sale while a claim against it is open or was upheld.",
  AssetExpired: (a) => `This work's own licence ended on ${when(a[1])}, so no licence can be sold on it.`,
  PromptCheckFailed: "This work's prompt check failed, so new licences cannot be bought.",
  AncestorCheckFailed: "A work this one is built on failed its prompt check, so this cannot be done.",
  WrongPayment: "The payment does not match the price.",
  PriceTooHigh: "The price is too high.",
  InsufficientBalance: "Insufficient funds: your balance is lower than the price.",
  ERC20InsufficientBalance: "Insufficient funds: your token balance is lower than the price.",
  ERC20InsufficientAllowance: "The token allowance is too low; approve the amount first.",
  TransferAmountMismatch: "The token moved a different amount than the price (a fee-on-transfer token is not accepted).",
  UnexpectedNativeTransfer: "ETH was sent with a payment in a token; nothing was changed.",
  NothingToWithdraw: "There is nothing to withdraw in this currency.",
  NothingHeld: "Nothing is held back for this work.",
  ZeroAmount: "The amount must be more than zero.",
  NotAReferrer: "The referring platform is not allowed to refer sales.",
  ReferralFeeTooHigh: "The referral fee is higher than allowed.",
  RevShareTooHigh: "The revenue share is higher than allowed.",
  RoyaltyRateTooHigh: "The royalty rate is higher than allowed.",
  RoyaltyStackTooHigh: "Together with what its parents take, the revenue shares would exceed 100 %.",
  // Licences and derivatives
  LicenseExpired: (a) => `That licence expired on ${when(a[1])}.`,
  LicenseAlreadyUsed: "That licence was already used for a derivative.",
  LicenseNotTransferable: "That licence cannot be transferred.",
  NotLicenseHolder: "You do not hold that licence.",
  LicenseIdsExhausted: "No more licences can be sold here: every licence number is taken.",
  UnknownLicense: "That licence does not exist.",
  DerivativesNotAllowed: "That licence does not allow derivative works.",
  DuplicateParent: "The same parent work is named twice.",
  NoParents: "A derivative needs at least one parent work.",
  TooManyParents: "A derivative can name only a few parent works.",
  TooManyAncestors: "This work has too many ancestors to build on.",
  LineageTooDeep: "The chain of derivatives is too deep to build on.",
  HeldUntilResolved: "This work's revenue is held until the claim against it is resolved.",
  // Registration
  ContentAlreadyRegistered: "This exact file is already registered.",
  AlreadyCommitted: "This registration was already committed; try again to start afresh.",
  CommitmentTooNew: "The chain has not moved past the commitment's block yet; try again in a few seconds.",
  CommitmentExpired: "The commitment is older than 7 days; register again to make a fresh one.",
  UnknownCommitment: "The registration's commitment was not found on the chain; register again.",
  ZeroCommitment: "The registration's commitment is empty; register again.",
  ZeroContentHash: "The file's hash is missing; upload the file again.",
  MissingPromptCommitment: "The prompt commitment is missing.",
  InvalidWorkKind: "This kind of work cannot be registered.",
  UnknownAsset: "This work is not registered on this chain.",
  NotAssetOwner: "Only the work's owner can do this.",
  SignatureExpired: (a) => `The signature expired on ${when(a[0])}; sign again.`,
  InvalidSignature: "The signature does not match; sign again.",
  NonceAlreadyUsed: "This signature was already used; sign again.",
  StaleAuthorization: "This authorisation is out of date; sign again.",
  PlatformNotAuthorized: "This platform is not authorised to register for you.",
  PlatformQuotaExhausted: "This platform has used up its registrations.",
  SelfAuthorization: "An account cannot authorise itself.",
  InvalidCheckOutcome: "The prompt check's outcome is not valid.",
  // Claims (the court)
  WrongBond: "The bond sent does not match the court's bond.",
  ZeroBond: "The court's bond must be more than zero.",
  BondCurrencyNotAccepted: "The court does not accept bonds in this currency.",
  BondTransferMismatch: "The bond token moved a different amount than the bond.",
  InvalidClaimantAsset: "The work named as the original cannot be evidence against this one.",
  UnknownDispute: "This claim does not exist.",
  WrongDisputeStatus: "This claim is not at a stage where this can be done.",
  ResponseWindowClosed: (a) => `The time to answer this claim ended on ${when(a[1])}.`,
  ResponseWindowOpen: (a) => `The owner can still answer this claim until ${when(a[1])}; the ruling comes after that.`,
  AppealWindowClosed: (a) => `The time to appeal ended on ${when(a[1])}.`,
  RulingNotFinal: (a) => `The ruling becomes final on ${when(a[1])}; try again after that.`,
  AlreadySettled: "This claim is already settled.",
  NotClearable: "This work cannot be cleared now.",
  AncestorNotUpheld: "The claim against the ancestor was not upheld.",
  NotAnAncestor: "That work is not an ancestor of this one.",
  WindowOutOfRange: "The window chosen is outside the allowed range.",
  // Set-up and roles (an admin's mistakes more than a user's)
  NotCourt: NOT_ALLOWED,
  NotHub: NOT_ALLOWED,
  NotRegistry: NOT_ALLOWED,
  AccessControlUnauthorizedAccount: NOT_ALLOWED,
  OwnableUnauthorizedAccount: NOT_ALLOWED,
  CourtAlreadySet: SETUP,
  HubAlreadySet: SETUP,
  ZeroHub: SETUP,
  ZeroAddress: "An address is missing.",
  FeeTooHigh: "The fee is higher than allowed.",
  ReentrancyGuardReentrantCall: "The contract refused a nested call; nothing was changed.",
  ERC721NonexistentToken: "That token does not exist.",
  ERC721IncorrectOwner: "That token belongs to someone else.",
  ERC721InsufficientApproval: "You are not allowed to move that token.",
};

/** The sentence for contract error `name` with its decoded `args`, or `null` when none is written. */
export function contractSentence(name: string, args: Args = []): string | null {
  const sentence = CONTRACT_ERRORS[name];
  if (sentence === undefined) return null;
  return typeof sentence === "string" ? sentence : sentence(args);
}

/** The generic refusal, for contract errors without a sentence and raw revert text. */
export const REFUSED = "The contract refused this transaction; nothing was changed.";

/** Whether `text` is machine talk (a revert, an RPC or viem error dump, a hex blob) rather than a sentence. */
export function looksRaw(text: string): boolean {
  return /revert|execution|0x[0-9a-f]{8,}|JSON-RPC|custom error|Details:|Version: viem|Error\(|panic|opcode|nonce too|gas required|intrinsic gas/i.test(text);
}

/** A unix time (10 digits) right after a word that says a moment follows ("expired at 1765…", "until …", "(now
 * …)"): the only numbers `apiSentence` turns into dates, so a hash or an amount of ten digits stays as it is. */
const MOMENT = /\b(at|until|since|after|before|by|on|reads|now)(\s+)(1\d{9})\b/gi;

/** An API's error `detail` as a sentence for the page: capitalised, ending in a full stop, unix times as dates. */
export function apiSentence(detail: string): string {
  return sentence(detail.trim().replace(MOMENT, (_m, word: string, space: string, time: string) => `${word}${space}${when(Number(time))}`));
}

/** A note of `POST /uploads` about the resources a file names, for the page: as written (no number made a date,
 * since notes carry hashes), except the CLI's advice to name a resource with `--parent ASSET:LICENCE`, which the
 * page cannot take: the clause that gives it is left out. */
export function noteSentence(note: string): string {
  return sentence(note.trim().split(/;\s*/).filter((clause) => !clause.includes("--parent")).join("; "));
}

function sentence(text: string): string {
  if (!text) return "The server refused the request.";
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
