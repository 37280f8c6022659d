/** Random passwords (like Secrets Manager's GetRandomPassword), drawn with rejection sampling. */
import { BadRequestError } from "../../runtime/errors.ts";

export interface PasswordOptions {
  length?: number;
  excludeCharacters?: string;
  excludeNumbers?: boolean;
  excludePunctuation?: boolean;
  excludeUppercase?: boolean;
  excludeLowercase?: boolean;
  includeSpace?: boolean;
  /** At least one character of every included class (default true). */
  requireEachIncludedType?: boolean;
}

const CLASSES = {
  lowercase: "abcdefghijklmnopqrstuvwxyz",
  uppercase: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  numbers: "0123456789",
  punctuation: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  space: " ",
};

function randomIndex(n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) return buf[0] % n;
  }
}

export function randomPassword(options: PasswordOptions = {}): string {
  const length = options.length ?? 32;
  if (!Number.isInteger(length) || length < 4 || length > 4096) {
    throw new BadRequestError("length must be an integer from 4 to 4096");
  }
  const excluded = new Set(options.excludeCharacters ?? "");
  const pick = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join("");
  const classes = [
    options.excludeLowercase ? "" : pick(CLASSES.lowercase),
    options.excludeUppercase ? "" : pick(CLASSES.uppercase),
    options.excludeNumbers ? "" : pick(CLASSES.numbers),
    options.excludePunctuation ? "" : pick(CLASSES.punctuation),
    options.includeSpace ? pick(CLASSES.space) : "",
  ].filter((c) => c.length > 0);
  if (!classes.length) {
    throw new BadRequestError(
      "every character class is excluded: allow at least one of lowercase, uppercase, numbers, punctuation",
    );
  }
  const all = classes.join("");
  const out: string[] = [];
  if (options.requireEachIncludedType !== false) {
    if (classes.length > length) {
      throw new BadRequestError(
        `length ${length} is too short to include one of each of ${classes.length} character classes`,
      );
    }
    for (const c of classes) out.push(c[randomIndex(c.length)]);
  }
  while (out.length < length) out.push(all[randomIndex(all.length)]);
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.join("");
}
