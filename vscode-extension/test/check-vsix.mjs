// Checks a packaged .vsix (a zip): what the extension needs is in it, the sources and tests are not.
// Reads the zip's central directory itself, so no unzip tool is needed.
import { readFileSync } from "fs";

const file = process.argv[2];
const zip = readFileSync(file);
const names = [];
for (let i = zip.length - 22; i >= 0; i--) {
  if (zip.readUInt32LE(i) !== 0x06054b50) continue; // end of central directory
  let at = zip.readUInt32LE(i + 16);
  for (let n = zip.readUInt16LE(i + 10); n > 0; n--) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString("utf8", at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  break;
}
const required = ["extension/package.json", "extension/dist/extension.js", "extension/syntaxes/coord.tmLanguage.json",
  "extension/language-configuration.json", "extension/snippets/coord.json", "extension/readme.md"];
const missing = required.filter((n) => !names.some((m) => m.toLowerCase() === n.toLowerCase()));
const unwanted = names.filter((n) => /^extension\/(src|out|test|node_modules)\//.test(n) || n.endsWith(".map"));
if (missing.length || unwanted.length) {
  console.error(`${file}: missing ${JSON.stringify(missing)}; should not hold ${JSON.stringify(unwanted)}`);
  process.exit(1);
}
console.log(`${file}: ${names.length} files, the extension's all there (${(zip.length / 1024).toFixed(0)} KiB)`);
