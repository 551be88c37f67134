/**
 * Holds an activity at a point the test chooses: `pass()` (inside the activity) resolves `reached`
 * and waits until the test calls `open()`. Lets a test act while the workflow is in a given step.
 * Open it in a `finally`: a worker does not stop while one of its activities still waits.
 */
export class Gate {
  readonly reached: Promise<void>;
  private arrive!: () => void;
  private release!: () => void;
  private readonly opened: Promise<void>;

  constructor() {
    this.reached = new Promise((resolve) => (this.arrive = resolve));
    this.opened = new Promise((resolve) => (this.release = resolve));
  }

  pass(): Promise<void> {
    this.arrive();
    return this.opened;
  }

  open(): void {
    this.release();
  }
}
