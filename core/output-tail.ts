import { StringDecoder } from 'node:string_decoder';

/** Where one stream's bytes go: written as they arrive, ended when the stream closes. */
export interface TailSink {
  write(chunk: Buffer): void;
  end(): void;
}

/**
 * The last lines a child process wrote, for the error a person reads when the SUT fails to start.
 * A bounded ring: a proxy that logs every request for an hour costs no more memory than one that
 * logs nothing, and an endless line without a newline is cut at `maxLineChars`.
 */
export class OutputTail {
  private readonly lines: string[] = [];

  /**
   * @param maxLines lines kept (the oldest go first)
   * @param maxLineChars a longer line is cut to this many characters
   */
  constructor(
    private readonly maxLines = 50,
    private readonly maxLineChars = 4096,
  ) {}

  /** A sink for one stream; each stream keeps its own partial line so streams never mix mid-line. */
  sink(): TailSink {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const take = (text: string): void => {
      const parts = (partial + text).split('\n');
      partial = (parts.pop() ?? '').slice(0, this.maxLineChars);
      for (const line of parts) this.push(line);
    };
    return {
      write: (chunk) => take(decoder.write(chunk)),
      end: () => {
        take(decoder.end());
        if (partial !== '') this.push(partial);
        partial = '';
      },
    };
  }

  /** The last `lines` complete lines, joined with newlines. */
  tail(lines = 20): string {
    return lines > 0 ? this.lines.slice(-lines).join('\n') : '';
  }

  private push(line: string): void {
    this.lines.push(line.replace(/\r$/, '').slice(0, this.maxLineChars));
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
}
