// Writes tests/schema/orders/postcode-format-cases.inc: each input with postcodes.io's verdict on it, as
// computed by the `postcode` package that postcodes.io depends on ("postcode": "~5.1.0").
//
//   cd /tmp && npm pack postcode@5.1.0 && tar xzf postcode-5.1.0.tgz
//   node tests/schema/orders/postcode-format-cases.js /tmp/package > tests/schema/orders/postcode-format-cases.inc
//
// postcodes.io's GET /postcodes/:postcode (src/app/controllers/postcodes_controller.ts) answers
// "Invalid postcode" unless isValid(postcode.trim()); it then looks up the postcode with all /\s/
// removed and upper-cased, and names it as toNormalised() does: upper case, one space before the
// inward code. So the verdict here is isValid(s.trim()) ? toNormalised(s.trim()) : invalid.
"use strict";
const { isValid, toNormalised } = require(`${process.argv[2]}/dist/index.js`);
const version = require(`${process.argv[2]}/package.json`).version;

const MAX_POSTCODE_INPUT = 256;  // schema/postcode-format.h: every case must fit under it

// Every code point that JavaScript's /\s/ and String.prototype.trim() treat as white space.
const SPACES = [
  ["\u0009", "tab"], ["\u000a", "line feed"], ["\u000b", "vertical tab"], ["\u000c", "form feed"],
  ["\u000d", "carriage return"], ["\u0020", "space"], ["\u00a0", "no-break space"],
  ["\u1680", "Ogham space mark"], ["\u2000", "en quad"], ["\u2001", "em quad"],
  ["\u2002", "en space"], ["\u2003", "em space"], ["\u2004", "three-per-em space"],
  ["\u2005", "four-per-em space"], ["\u2006", "six-per-em space"], ["\u2007", "figure space"],
  ["\u2008", "punctuation space"], ["\u2009", "thin space"], ["\u200a", "hair space"],
  ["\u2028", "line separator"], ["\u2029", "paragraph separator"],
  ["\u202f", "narrow no-break space"], ["\u205f", "medium mathematical space"],
  ["\u3000", "ideographic space"], ["\ufeff", "byte-order mark (zero-width no-break space)"],
];
for (let c = 0; c < 0x110000; ++c) {
  if (c >= 0xd800 && c <= 0xdfff) continue;
  const s = String.fromCodePoint(c);
  if (/\s/.test(s) !== SPACES.some(([w]) => w === s)) throw new Error(`SPACES is wrong at ${c}`);
}

// Look like white space or separators, but are not /\s/.
const NOT_SPACES = [
  ["\u0000", "NUL"], ["\u001f", "unit separator"], ["\u0085", "next line (NEL)"],
  ["\u00ad", "soft hyphen"], ["\u180e", "Mongolian vowel separator"], ["\u200b", "zero-width space"],
  ["\u200d", "zero-width joiner"], ["\u2060", "word joiner"], ["\u3164", "Hangul filler"],
];

const cases = [];
const add = (input, what) => cases.push([input, what]);

for (const [w, name] of SPACES) add(`AB10${w}1AB`, `${name} between the codes`);
for (const [w, name] of SPACES) add(`${w}ab101ab${w}`, `${name} before and after`);
for (const [w, name] of [SPACES[0], SPACES[1], SPACES[6], SPACES[23], SPACES[24]]) {
  add(`A${w}B10 1AB`, `${name} inside the outward code`);
  add(`AB10 1${w}AB`, `${name} inside the inward code`);
}
for (const [w, name] of NOT_SPACES) add(`AB10${w}1AB`, `${name} between the codes`);
add("\u200bAB10 1AB", "zero-width space before");

// The examples (issue 14, item 6).
add("AB10\u00a01AB", "issue: no-break space pasted from a web page");
add("AB10 1AB\n", "issue: trailing line feed");
add("AB10 1AB\r\n", "issue: trailing CR LF");
add("AB10\r\n1AB", "CR LF between the codes");
add("\r\nAB10 1AB", "leading CR LF");
add("\ufeffAB10 1AB", "issue: leading byte-order mark");
add("AB10 1AB\ufeff", "trailing byte-order mark");
add(" ".repeat(100) + "AB10 1AB", "issue: 100 spaces of leading padding");
add("AB10 1AB" + " ".repeat(200), "issue: 200 spaces of trailing padding");
add("AB10" + " ".repeat(100) + "1AB", "100 spaces between the codes");
add("AB10" + " ".repeat(26) + "1AB", "a 33-byte postcode that the old 32-byte limit refused");
add("\u3000".repeat(30) + "ab10 1ab" + "\u3000".repeat(30), "30 ideographic spaces each side");
add("\t \u00a0\r\nAB10 \t\u2009 1AB \u3000\n", "a mixture of white space everywhere allowed");
add("A B10 1AB", "issue: space inside the outward code (A B10)");
add("AB1 01AB", "issue: space inside the outward code (AB1 0), another district if removed");
add("AB101 AB", "issue: space inside the inward code (1 AB)");
add("AB10 1 AB", "issue: space inside the inward code (1 AB)");
add("AB10 1A B", "space inside the inward code (1A B)");
add("A99A 9AA", "issue: A99A, a four-character outward code with one letter");

// Outward code shapes: A9, A99, AA9, AA99, A9A, AA9A valid; nothing else.
add("M1 1AD", "A9"); add("m11ad", "A9, lower case, no space");
add("M11 1AA", "A99"); add("B33 8TH", "A99");
add("JE2 4WD", "AA9"); add("cr2  6xh", "AA9, two spaces");
add("AB10 1AB", "AA99"); add("ab101ab", "AA99, lower case, no space"); add("Ab10 1aB", "mixed case");
add("W1A 0AX", "A9A"); add("w1a0ax", "A9A, lower case, no space");
add("SE1P 5ZZ", "AA9A"); add("sw1a1aa", "AA9A, lower case, no space"); add("EC1A 1BB", "AA9A");
add("A99A9AA", "A99A, no space");
add("AAA9 9AA", "AAA9"); add("AAA 9AA", "AAA"); add("9A9 9AA", "9A9"); add("99 9AA", "99");
add("A 9AA", "A"); add("AA 9AA", "AA"); add("9AA", "no outward code");
add("AA999 9AA", "AA999"); add("A9AA 9AA", "A9AA"); add("AA9AA 9AA", "AA9AA");
add("A9A9 9AA", "A9A9"); add("ABC1 1AB", "ABC1"); add("1AB 1AB", "1AB as outward code");
// Inward codes: a digit and two letters, any two: the package excludes no letter.
add("AB10 1CI", "inward letters C and I"); add("AB10 1KM", "inward letters K and M");
add("AB10 1OV", "inward letters O and V"); add("AB10 0ZZ", "inward 0ZZ");
add("AB10 1A", "inward code too short"); add("AB10 AAA", "inward code without a digit");
add("AB10 11A", "inward code with two digits"); add("AB10 1A1", "inward code ending in a digit");
add("AB10 1ABC", "inward code too long"); add("AB10", "outward code alone");
add("AB10 1AB AB10 1AB", "two postcodes");
// Special and non-geographic codes the regex does not allow.
add("GIR 0AA", "GIR 0AA (Girobank)"); add("gir0aa", "GIR 0AA, lower case, no space");
add("BFPO 1", "BFPO"); add("AB1234", "digits only inward code"); add("SAN TA1", "Santa's");
add("ID1 1QE", "well-formed, not a real district"); add("SW1A 2AA", "well-formed");
// Non-ASCII letters and digits (the regex's [a-z], /i and \d are ASCII only).
add("\u00c4B10 1AB", "A with diaeresis in the outward code");
add("AB10 1\u00c4B", "A with diaeresis in the inward code");
add("\uff33W1A 1AA", "fullwidth S");
add("AB\uff110 1AB", "fullwidth digit one");
add("AB\u0661\u0660 1AB", "Arabic-Indic digits");
add("AB\u00b90 1AB", "superscript one");
add("\u017fw1a 1aa", "long s (upper-cases to S)");
add("\u212ab10 1ab", "Kelvin sign (lower-cases to k)");
add("\u0131d1 1qe", "dotless i (upper-cases to I)");
add("\u0410B10 1AB", "Cyrillic capital A");
add("AB10 1AB\u0301", "combining acute accent at the end");
add("AB10 1AB\ufffd", "replacement character at the end");
// Other punctuation and text.
add("", "empty"); add(" ", "a space"); add(" \t\r\n ", "only white space");
add("\ufeff", "only a byte-order mark"); add("\u00a0\u3000", "only Unicode spaces");
add("FOO", "a word"); add("../", "a path"); add("../etc", "a path");
add("SW1A-1AA", "hyphen between the codes"); add("SW1A_1AA", "underscore between the codes");
add("SW1A+1AA", "plus between the codes"); add("SW1A%201AA", "percent-encoded space");
add("SW1A/1AA", "slash between the codes"); add("SW1A 1AA/../x", "a path after the postcode");
add("SW1A.1AA", "full stop between the codes"); add("\"SW1A 1AA\"", "in quotes");
add("SW1A 1AA.", "full stop after"); add("<SW1A 1AA>", "in angle brackets");
add("A".repeat(250), "250 letters");

const lines = [];
for (const [input, what] of cases) {
  const bytes = Buffer.from(input, "utf8");
  if (bytes.length > MAX_POSTCODE_INPUT) throw new Error(`over the limit: ${what}`);
  const trimmed = input.trim();
  const verdict = isValid(trimmed) ? toNormalised(trimmed) : null;
  lines.push(`    {${cLiteral(bytes)}, ${verdict === null ? "nullptr" : JSON.stringify(verdict)}, ` +
             `${JSON.stringify(what)}},`);
}
process.stdout.write(
    `// Generated by tests/schema/orders/postcode-format-cases.js from postcode@${version} (isValid and\n` +
    `// toNormalised, as postcodes.io's GET /postcodes/:postcode applies them); do not edit by\n` +
    `// hand. ${cases.length} cases.\n` + lines.join("\n") + "\n");

// A C++ string literal of `bytes` with the std::string_view suffix (so a NUL byte counts): bytes
// outside printable ASCII as \xHH, the literal split after one where a hex digit follows (a hex
// escape would swallow it), and long runs split over lines.
function cLiteral(bytes) {
  const pieces = [];
  let piece = "";
  let afterEscape = false;
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (piece.length >= 72 || (afterEscape && /[0-9a-fA-F]/.test(c))) {
      pieces.push(piece);
      piece = "";
    }
    afterEscape = !(b >= 0x20 && b < 0x7f);
    if (c === '"' || c === "\\") piece += "\\" + c;
    else if (afterEscape) piece += "\\x" + b.toString(16).padStart(2, "0").toUpperCase();
    else piece += c;
  }
  pieces.push(piece);
  const wrap = pieces.join("").length > 72;
  return pieces.map((p) => `"${p}"`).join(wrap ? "\n     " : " ") + "sv";
}
