/**
 * Edit XML text at the places a DOM parse located, so that everything not edited keeps its bytes:
 * quotes, attribute layout, comments, padding. The DOM (`@xmldom/xmldom`, with its locator)
 * says what is where; this turns a node into a range of the text, and applies insertions and
 * removals there.
 *
 * @module
 */
import type { Element, Node } from "npm:@xmldom/xmldom@0.9.12";

/** One change of the text: replace `[start, end)` with `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Text and the edits to make to it, with offsets of the nodes a locator-enabled parse gave. */
export class TextEditor {
  readonly text: string;
  readonly #lineStarts: number[] = [0];
  readonly #edits: Edit[] = [];
  /** Self-closing elements given children: their `/>` becomes `>`, the children, the end tag. */
  readonly #opened = new Map<
    Element,
    { at: number; name: string; outer: string; children: string[] }
  >();

  /** @param text the text the DOM was parsed from (with `\n` line ends). */
  constructor(text: string) {
    this.text = text;
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.#lineStarts.push(i + 1);
  }

  /** Where a node starts in the text. */
  start(node: Node): number {
    const n = node as Node & { lineNumber?: number; columnNumber?: number };
    if (!n.lineNumber || !n.columnNumber) throw new Error("The XML was parsed without a locator");
    return this.#lineStarts[n.lineNumber - 1] + n.columnNumber - 1;
  }

  /** Where an element ends: just after its end tag (or its `/>`). */
  end(element: Element): number {
    return elementEnd(this.text, this.start(element));
  }

  /** Where an element's start tag ends: just after its `>`. */
  startTagEnd(element: Element): number {
    return tagEnd(this.text, this.start(element));
  }

  /** The whitespace before an element on its line: its indentation. */
  indent(element: Element): string {
    const s = this.start(element);
    const lineStart = this.text.lastIndexOf("\n", s - 1) + 1;
    const before = this.text.slice(lineStart, s);
    return /^[ \t]*$/.test(before) ? before : "";
  }

  /** Remove an element, with the whitespace that indented it. */
  remove(element: Element): void {
    const prev = element.previousSibling;
    const start = prev && isBlank(prev) ? this.start(prev) : this.start(element);
    this.#edits.push({ start, end: this.end(element), text: "" });
  }

  /**
   * Append XML as the last child of an element, on its own line, one space deeper than the
   * element (the XMP habit), or as deep as the element's other children.
   *
   * @param xml the child's text, its lines after the first already indented relative to it.
   */
  append(parent: Element, xml: (indent: string) => string): void {
    const outer = this.indent(parent);
    const sibling = [...children(parent)].find((c) => c.nodeType === 1) as Element | undefined;
    const inner = sibling ? this.indent(sibling) || `${outer} ` : `${outer} `;
    const startTagEnd = this.startTagEnd(parent);
    if (this.text[startTagEnd - 2] === "/") {
      // <a .../> becomes <a ...>, the children, </a> (see result()).
      const open = this.#opened.get(parent) ??
        { at: startTagEnd - 2, name: parent.tagName, outer, children: [] };
      this.#opened.set(parent, open);
      open.children.push(`\n${inner}${xml(inner)}`);
      return;
    }
    const last = parent.lastChild;
    if (last && isBlank(last)) {
      this.#edits.push({
        start: this.start(last),
        end: this.start(last),
        text: `\n${inner}${xml(inner)}`,
      });
      return;
    }
    const closing = this.text.lastIndexOf("</", this.end(parent) - 1);
    this.#edits.push({ start: closing, end: closing, text: `\n${inner}${xml(inner)}\n${outer}` });
  }

  /** Add an attribute (e.g. a namespace declaration) at the end of an element's start tag. */
  addAttribute(element: Element, name: string, value: string): void {
    const end = this.startTagEnd(element);
    const at = this.text[end - 2] === "/" ? end - 2 : end - 1;
    // Attributes that sit on lines of their own: one more line, indented as the last.
    const tag = this.text.slice(this.start(element), end);
    const lastLine = /\n([ \t]*)[^\n]*$/.exec(tag);
    this.#edits.push({
      start: at,
      end: at,
      text: `${lastLine ? `\n${lastLine[1]}` : " "}${name}="${escapeXml(value)}"`,
    });
  }

  /**
   * Remove an attribute from an element's start tag, with the whitespace before it.
   *
   * @param name the attribute's name as written (`prefix:local`).
   */
  removeAttribute(element: Element, name: string): void {
    const start = this.start(element);
    const end = this.startTagEnd(element);
    // Walk the start tag's attributes, so that text inside another attribute's value never matches.
    const attribute = /(\s+)([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')/y;
    attribute.lastIndex = start + 1 + element.tagName.length;
    for (let m; attribute.lastIndex < end && (m = attribute.exec(this.text));) {
      if (m[2] === name) {
        this.#edits.push({ start: m.index, end: m.index + m[0].length, text: "" });
        return;
      }
    }
  }

  /** The text with every edit applied. */
  result(): string {
    // From the end backwards, so offsets stay valid. At one place a replacement goes first, and
    // insertions in reverse order, so that each lands before the ones made after it.
    const opened = [...this.#opened.values()].map((o) => ({
      start: o.at,
      end: o.at + 2,
      text: `>${o.children.join("")}\n${o.outer}</${o.name}>`,
    }));
    const edits = [...this.#edits, ...opened].map((e, index) => ({ ...e, index }))
      .sort((a, b) => b.start - a.start || b.end - a.end || b.index - a.index);
    let out = this.text;
    for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
    return out;
  }
}

/** Escape text for XML content or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

function* children(node: Node): Generator<Node> {
  for (let c = node.firstChild; c; c = c.nextSibling) yield c;
}

function isBlank(node: Node): boolean {
  return node.nodeType === 3 && /^\s*$/.test((node as unknown as { data: string }).data);
}

/** The markup token starting at `<` at `i`: its end (just after it). */
function tagEnd(text: string, i: number): number {
  if (text.startsWith("<!--", i)) return text.indexOf("-->", i) + 3;
  if (text.startsWith("<![CDATA[", i)) return text.indexOf("]]>", i) + 3;
  if (text.startsWith("<?", i)) return text.indexOf("?>", i) + 2;
  let quote = "";
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return j + 1;
  }
  return text.length;
}

/** The end of the element whose start tag begins at `start` (the text is well-formed XML). */
function elementEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    const end = tagEnd(text, lt);
    const next = text[lt + 1];
    if (next === "/") depth--;
    else if (next !== "!" && next !== "?" && text[end - 2] !== "/") depth++;
    if (depth === 0) return end;
    i = end;
  }
  return text.length;
}
