/**
 * Just enough X.509 (DER) reading to show a certificate's subject, issuer and validity: the
 * first CERTIFICATE block of a PEM bundle. Anything else in the bundle (a private key) is kept
 * in the encrypted value but never parsed or shown.
 */
import type { CertificateInfo } from "./types.ts";

export class CertificateParseError extends Error {}

interface Node {
  tag: number;
  start: number;
  end: number;
}

function readNode(buf: Uint8Array, at: number): Node {
  if (at + 2 > buf.length) throw new CertificateParseError("truncated DER");
  const tag = buf[at];
  let len = buf[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) throw new CertificateParseError("bad DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    start += n;
  }
  const end = start + len;
  if (end > buf.length) throw new CertificateParseError("DER length runs past the end");
  return { tag, start, end };
}

function children(buf: Uint8Array, node: Node): Node[] {
  const out: Node[] = [];
  for (let at = node.start; at < node.end;) {
    const child = readNode(buf, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

const text = (buf: Uint8Array, n: Node) => new TextDecoder().decode(buf.subarray(n.start, n.end));

function parseTime(buf: Uint8Array, n: Node): string {
  const s = text(buf, n);
  let m: RegExpExecArray | null;
  if (n.tag === 0x17 && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s))) {
    const yy = Number(m[1]);
    return `${yy >= 50 ? 1900 + yy : 2000 + yy}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}.000Z`;
  }
  if (n.tag === 0x18 && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s))) {
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
  }
  throw new CertificateParseError("unsupported time format in the validity period");
}

const NAME_OIDS: Record<string, string> = {
  "550403": "CN",
  "55040a": "O",
  "55040b": "OU",
  "550406": "C",
  "550407": "L",
  "550408": "ST",
};

function parseName(buf: Uint8Array, name: Node): string {
  const parts: string[] = [];
  for (const rdn of children(buf, name)) {
    for (const atv of children(buf, rdn)) {
      const [oid, value] = children(buf, atv);
      if (!oid || !value || oid.tag !== 0x06) continue;
      const hex = Array.from(buf.subarray(oid.start, oid.end), (b) => b.toString(16).padStart(2, "0")).join(
        "",
      );
      const label = NAME_OIDS[hex];
      if (label) parts.push(`${label}=${text(buf, value)}`);
    }
  }
  return parts.join(", ");
}

const PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/** Parses the first certificate of a PEM text. Throws CertificateParseError with a reason. */
export function parseCertificate(pem: string, now: number): CertificateInfo {
  const match = PEM_RE.exec(pem);
  if (!match) throw new CertificateParseError("no '-----BEGIN CERTIFICATE-----' block found");
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(match[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    throw new CertificateParseError("the CERTIFICATE block is not valid base64");
  }
  const cert = readNode(der, 0);
  if (cert.tag !== 0x30) throw new CertificateParseError("not a DER certificate");
  const tbs = children(der, cert)[0];
  if (!tbs || tbs.tag !== 0x30) throw new CertificateParseError("missing tbsCertificate");
  const fields = children(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[offset + 2];
  const validity = fields[offset + 3];
  const subject = fields[offset + 4];
  if (!issuer || !validity || !subject || validity.tag !== 0x30) {
    throw new CertificateParseError("unexpected tbsCertificate layout");
  }
  const [notBefore, notAfter] = children(der, validity);
  if (!notBefore || !notAfter) throw new CertificateParseError("missing validity dates");
  const info = {
    subject: parseName(der, subject),
    issuer: parseName(der, issuer),
    notBefore: parseTime(der, notBefore),
    notAfter: parseTime(der, notAfter),
  };
  return { ...info, expired: Date.parse(info.notAfter) <= now };
}
