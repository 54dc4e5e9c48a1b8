/**
 * Cases for Go's default `missingkey` mode (issue #26 item 2), which the WASM oracle cannot run (it always uses
 * missingkey=error). Their outcomes in default-mode-expected.json come from Go's own text/template run by
 * go-default/main.go (regenerate with `node --import tsx src/templates/testdata/generate-default-expected.ts`;
 * needs a Go toolchain; pinned with go1.19.8 linux/amd64, whose missing-key and nil rules are unchanged since).
 */
import type { CoreCase } from './core-cases.js';

const d = { drivers: { region: 'eu' }, a: null, list: [null, { x: 1 }], m: { inner: {} }, s: 'str' };

export const defaultModeCases: CoreCase[] = [
  { name: 'missing key prints no value', template: '{{ .nope }}', data: d },
  { name: 'chain through a missing key prints no value', template: '{{ .drivers.role_arn }}', data: d },
  { name: 'long chain through missing keys', template: '{{ .x.y.z }}', data: d },
  { name: 'chain through an empty map', template: '{{ .m.inner.deep.deeper }}', data: d },
  { name: 'error: field of a null value', template: '{{ .a.b }}', data: d },
  { name: 'error: field of a null list element', template: '{{ range .list }}{{ .x }}{{ end }}', data: d },
  { name: 'error: field of a string', template: '{{ .s.x }}', data: d },
  { name: 'nil data field prints no value', template: '{{ .a }}' },
  { name: 'nil data chain prints no value', template: '{{ .a.b.c }}' },
  { name: 'missing chain in if is false', template: '{{ if .drivers.role_arn }}yes{{ else }}no{{ end }}', data: d },
  { name: 'missing chain with default-style or', template: '{{ or .drivers.role_arn "fallback" }}', data: d },
  { name: 'eq missing chain with string is false', template: '{{ eq .drivers.role_arn "" }}', data: d },
  { name: 'eq missing with missing', template: '{{ eq .nope .other }}', data: d },
  { name: 'ne missing with string', template: '{{ ne .drivers.role_arn "x" }}', data: d },
  { name: 'error: lt missing', template: '{{ lt .nope 1 }}', data: d },
  { name: 'variable holding missing value then field', template: '{{ $v := .nope }}{{ $v.x }}', data: d },
  { name: 'with on missing chain takes else', template: '{{ with .drivers.role_arn }}{{ . }}{{ else }}none{{ end }}', data: d },
  { name: 'range over missing chain is empty', template: '{{ range .drivers.list }}x{{ else }}empty{{ end }}', data: d },
  { name: 'index of missing key then field', template: '{{ (index .m "zz").b }}', data: d },
  { name: 'printf of missing value', template: '{{ printf "%v|%s|%d" .nope .nope .nope }}', data: d },
  { name: 'print of missing value', template: '{{ print .nope }}', data: d },
  { name: 'dollar chain through missing', template: '{{ with .drivers }}{{ $.x.y }}{{ end }}', data: d },
];
