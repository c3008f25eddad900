/**
 * Checks the origin's answer to an upload, `{"bytes":n,"sha256":"<hex>"}`, against what was sent.
 * That answer is under 200 bytes, so it is collected (up to a cap) and parsed at the end; anything
 * longer is wrong by definition and stops being collected.
 */
export class UploadDigestCheck {
  /** Longest answer collected; a real one is ~90 bytes. */
  static readonly MAX_BYTES = 1024;
  private text = '';
  private received = 0;

  /**
   * @param bytes upload size the origin must report, in bytes
   * @param sha256Hex SHA-256 (hex) the origin must report
   */
  constructor(
    private readonly bytes: number,
    private readonly sha256Hex: string,
  ) {}

  /** Feeds the next chunk of the answer. */
  update(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received <= UploadDigestCheck.MAX_BYTES) this.text += chunk.toString('latin1');
  }

  /** Why the answer is wrong, or undefined when it matches the upload. */
  problem(): string | undefined {
    if (this.received > UploadDigestCheck.MAX_BYTES) return `upload digest answer too long (${this.received} bytes)`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.text);
    } catch {
      return 'upload digest answer is not JSON';
    }
    if (typeof parsed !== 'object' || parsed === null) return 'upload digest answer is not a JSON object';
    const answer = parsed as { bytes?: unknown; sha256?: unknown };
    if (answer.bytes !== this.bytes) return `origin received ${String(answer.bytes)} upload bytes, ${this.bytes} sent`;
    if (answer.sha256 !== this.sha256Hex) return 'upload digest differs from the body sent';
    return undefined;
  }
}
