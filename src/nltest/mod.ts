/**
 * The nltest layer.
 *
 * @module
 */

export {};
