import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { scenarioErrors, where } from './errors.ts';

// A Tsung file as a tree of elements in document order: a session's requests, think times and
// loops run in the order written, which fast-xml-parser keeps only with `preserveOrder`.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
  /** XPath-like location for messages: `tsung/sessions/session[@name="pub"]/request[2]`. */
  readonly path: string;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  trimValues: true
});

// Sessions and options are told apart by name rather than by position, which is how authors know them.
const NAMED_BY = new Set(['session', 'option', 'transaction']);

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && !key.startsWith('?'));
}

function elementsOf(nodes: readonly OrderedNode[], parentPath: string): XmlElement[] {
  const total = new Map<string, number>();
  for (const node of nodes) {
    const name = elementName(node);
    if (name !== undefined) total.set(name, (total.get(name) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    const name = elementName(node);
    if (name === undefined) continue;
    const attributes = node[':@'] ?? {};
    const position = (seen.get(name) ?? 0) + 1;
    seen.set(name, position);
    const label =
      NAMED_BY.has(name) && attributes['name'] ? `${name}[@name="${attributes['name']}"]` : total.get(name) === 1 ? name : `${name}[${position}]`;
    const path = parentPath ? `${parentPath}/${label}` : name;
    const content = (node[name] as OrderedNode[] | undefined) ?? [];
    const text = content.map((child) => (typeof child['#text'] === 'string' ? child['#text'] : '')).join('');
    elements.push({ name, attributes, children: elementsOf(content, path), text, path });
  }
  return elements;
}

/** The document's root element; a file that is not well-formed XML is an error naming the line. */
export function parseXml(text: string, source: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw scenarioErrors.xmlSyntax(source, `line ${valid.err.line}: ${valid.err.msg}`, where(source, `line ${valid.err.line}`));
  const [root] = elementsOf(parser.parse(text) as OrderedNode[], '');
  if (!root) throw scenarioErrors.xmlSyntax(source, 'no root element', where(source));
  return root;
}
