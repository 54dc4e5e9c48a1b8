import { useState } from 'react';
import { get } from '../api';
import { DataTable, Json, Link, Show, navigate, useLoad } from '../components';
import type { Column } from '../components';
import type { MatchQuestion } from '../routes';

interface Criterion {
  id: string;
  app_id?: string | null;
  env_id?: string | null;
  env_type?: string | null;
  class?: string | null;
  res_id?: string | null;
}
interface Definition {
  id: string;
  name: string;
  type: string;
  driver_type: string;
  criteria?: Criterion[];
  is_default?: boolean;
}
interface Explanation {
  message: string;
  winner?: { def_id: string; criteria_id: string };
  candidates: { def_id: string; criteria_id: string; criterion: Criterion; matches: boolean; specificity: number; reason: string }[];
}

const e = encodeURIComponent;
const criterionText = (c: Criterion): string =>
  Object.entries(c)
    .filter(([k, v]) => k !== 'id' && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ') || '(matches everything)';

const DEFINITION_COLUMNS: Column<Definition>[] = [
  {
    header: 'Id',
    cell: (d) => (
      <>
        {d.id}
        {d.is_default && <span className="sub"> (default)</span>}
      </>
    ),
  },
  { header: 'Type', cell: (d) => d.type },
  { header: 'Driver', cell: (d) => d.driver_type },
  { header: 'Criteria', cell: (d) => ((d.criteria ?? []).length === 0 ? <span className="sub">none: never matched</span> : (d.criteria ?? []).map((c) => <div key={c.id}>{criterionText(c)}</div>)) },
];

type Candidate = Explanation['candidates'][number];
const CANDIDATE_COLUMNS: Column<Candidate>[] = [
  { header: 'Definition', cell: (c) => c.def_id },
  { header: 'Criterion', cell: (c) => criterionText(c.criterion) },
  { header: 'Specificity', cell: (c) => c.specificity },
  { header: 'Outcome', cell: (c) => c.reason },
];

/** Resource definitions with their criteria, and "which definition wins?" (GET /orgs/{org}/baton/match). */
export function DefinitionsScreen({ org, question }: { org: string; question: MatchQuestion | undefined }) {
  const defs = useLoad(() => get<Definition[]>(`/orgs/${e(org)}/resources/defs`), `defs:${org}`);
  return (
    <section>
      <nav className="crumbs">
        <Link to={{ name: 'grid', org }}>Applications</Link> / <strong>resource definitions</strong>
      </nav>
      <div className="card">
        <h3>Which definition wins?</h3>
        <Tester org={org} question={question} />
      </div>
      <div className="card">
        <h3>Resource definitions</h3>
        <Show loaded={defs.result} what="resource definitions">
          {(list) => <DataTable rows={list} columns={DEFINITION_COLUMNS} rowKey={(d) => d.id} empty="No resource definitions." />}
        </Show>
      </div>
    </section>
  );
}

function Tester({ org, question }: { org: string; question: MatchQuestion | undefined }) {
  const [form, setForm] = useState<MatchQuestion>(question ?? { app: '', env: 'development', type: '', class: '', res_id: '' });
  const fields: [keyof MatchQuestion, string][] = [
    ['app', 'App'],
    ['env', 'Environment'],
    ['type', 'Type'],
    ['class', 'Class'],
    ['res_id', 'Resource id'],
  ];
  return (
    <>
      <form
        className="tester"
        onSubmit={(event) => {
          event.preventDefault();
          navigate({ name: 'defs', org, question: form }, true);
        }}
      >
        {fields.map(([key, label]) => (
          <label key={key}>
            {label}
            <input value={form[key]} required={key !== 'class'} onChange={(ev) => setForm({ ...form, [key]: ev.target.value })} />
          </label>
        ))}
        <button type="submit" className="primary">
          Explain
        </button>
      </form>
      {question && <Explain org={org} question={question} />}
    </>
  );
}

function Explain({ org, question }: { org: string; question: MatchQuestion }) {
  const params = new URLSearchParams(Object.entries(question).filter(([, v]) => v !== '')).toString();
  const { result } = useLoad(() => get<Explanation>(`/orgs/${e(org)}/baton/match?${params}`), `match:${params}`);
  return (
    <Show loaded={result} what="the explanation">
      {(x) => (
        <div data-testid="match-explanation">
          <p className={x.winner ? 'winner' : 'error-box'}>{x.message}</p>
          <DataTable rows={x.candidates} columns={CANDIDATE_COLUMNS} rowKey={(c) => `${c.def_id}/${c.criteria_id}`} rowClass={(c) => (c.reason === 'winner' ? 'winner' : '')} empty="No definition of this type has criteria." />
          {x.candidates.length === 0 && <Json value={x} />}
        </div>
      )}
    </Show>
  );
}
