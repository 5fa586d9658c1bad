/**
 * The wifi layer.
 *
 * @module
 */

export {};
