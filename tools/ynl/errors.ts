/**
 * The one error the YNL generator throws for a bad spec: it names the file,
 * the path inside it and the reason.
 *
 * @module
 */

/** A spec the generator cannot use. */
export class SpecError extends Error {
  /** The spec file, as given to the generator (`spec/specs/rt-link.yaml`). */
  readonly file: string;
  /** Where in the file, such as `attribute-sets[link-attrs].attributes[mtu].type`. */
  readonly path: string;
  /** What is wrong there. */
  readonly reason: string;

  /**
   * @param file The spec file.
   * @param path The path inside it (empty for the whole file).
   * @param reason What is wrong.
   */
  constructor(file: string, path: string, reason: string) {
    super(
      `Cannot generate from ${file}: ${
        path === "" ? "" : `${path}: `
      }${reason}`,
    );
    this.name = "SpecError";
    this.file = file;
    this.path = path;
    this.reason = reason;
  }
}

/**
 * A path inside a spec, printed the way a reader finds it: array items by
 * their `name` when they have one (`attribute-sets[link-attrs]`), by index
 * otherwise (`formats[2]`).
 */
export function itemPath(
  parent: string,
  key: string | number,
  item?: unknown,
): string {
  if (typeof key === "number") {
    const name =
      item !== null && typeof item === "object" && !Array.isArray(item)
        ? (item as Record<string, unknown>).name
        : undefined;
    const label = typeof name === "string" ? name : String(key);
    return `${parent}[${label}]`;
  }
  return parent === "" ? key : `${parent}.${key}`;
}
