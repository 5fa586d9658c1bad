/**
 * The error a simulated kernel throws when a request is not what the test
 * expected.
 *
 * @module
 */

/**
 * A simulated kernel got a request it was not told to expect: a
 * `checkRequest` mismatch, or a request missing from a replay recording.
 * The `Conn` call that sent it rejects with this error as the `cause` of
 * its `NetlinkError`, so a test fails at the call that sent the wrong bytes.
 *
 * @example Using UnexpectedRequestError
 * ```ts
 * import { UnexpectedRequestError } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const err = new UnexpectedRequestError("Cannot check request 0: header type 18, want 16");
 * assert.equal(err.name, "UnexpectedRequestError");
 * ```
 */
export class UnexpectedRequestError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was received and what was wanted.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnexpectedRequestError";
  }
}
