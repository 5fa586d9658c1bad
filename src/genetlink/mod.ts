/**
 * The genetlink layer.
 *
 * @module
 */

export {};
