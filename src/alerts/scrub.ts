/** A function that masks every secret in a text with `***` (logs and attempt records never carry secrets). */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
}
