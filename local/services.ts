/** What a local stack has started, to stop in reverse order, each with a time limit. */
export class StartedServices {
  private readonly services: { name: string; stop: () => Promise<void> }[] = [];

  constructor(private readonly stopTimeoutMs: number) {}

  add(name: string, stop: () => Promise<void>): void {
    this.services.push({ name, stop });
  }

  has(name: string): boolean {
    return this.services.some((service) => service.name === name);
  }

  /** Stops everything, newest first; one that hangs or fails does not keep the rest running. */
  async stopAll(log: (line: string) => void): Promise<void> {
    for (let service = this.services.pop(); service; service = this.services.pop()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          service.stop(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`did not stop within ${this.stopTimeoutMs / 1000} s`)),
              this.stopTimeoutMs,
            );
          }),
        ]);
        log(`  stopped ${service.name}`);
      } catch (error) {
        log(`  could not stop ${service.name}: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
