/** The Studio shell: sign-in gate, navigation and pages. */
import { useEffect, useState } from "react";
import { auth, get, unauthorized } from "./api.ts";
import { navigate, useRoute } from "./router.ts";
import { Toasts } from "./ui/toast.tsx";
import { WorkflowPage } from "./design/workflow_page.tsx";
import { TemplatesPage } from "./pages/templates_page.tsx";
import { ExecutionsPage } from "./exec/executions_page.tsx";
import { ExecutionPage } from "./exec/execution_page.tsx";
import { FunctionsPage } from "./console/functions_page.tsx";
import { TriggersPage } from "./console/triggers_page.tsx";
import { SecretsPage } from "./console/secrets_page.tsx";
import { ParamsPage } from "./console/params_page.tsx";
import { ConnectionsPage } from "./console/connections_page.tsx";
import { MetricsPage } from "./console/metrics_page.tsx";

const NAV: Array<[string, string]> = [
  ["workflows", "Workflows"],
  ["executions", "Executions"],
  ["functions", "Functions"],
  ["triggers", "Triggers"],
  ["connections", "Connections"],
  ["secrets", "Secrets"],
  ["params", "Params"],
  ["metrics", "Metrics"],
];

export function App() {
  const [token, setToken] = useState(auth.token);
  useEffect(() => {
    const out = () => setToken(null);
    unauthorized.add(out);
    return () => void unauthorized.delete(out);
  }, []);
  return (
    <>
      {token
        ? (
          <Shell
            onSignOut={() => {
              auth.token = null;
              setToken(null);
            }}
          />
        )
        : <SignIn onToken={setToken} />}
      <Toasts />
    </>
  );
}

function SignIn({ onToken }: { onToken: (t: string) => void }) {
  const [value, setValue] = useState("");
  const [tenant, setTenant] = useState(auth.tenant ?? "");
  const [error, setError] = useState<string>();
  const submit = async () => {
    auth.token = value.trim();
    auth.tenant = tenant.trim() || null;
    try {
      await get("/api");
      onToken(value.trim());
    } catch (err) {
      auth.token = null;
      setError((err as Error).message);
    }
  };
  return (
    <div className="signin">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h1>AionixOne Studio</h1>
        <p className="muted">
          Sign in with an API token (the bootstrap admin token is in the data directory: admin.token).
        </p>
        <label className="field">
          <span className="field-label">Token</span>
          <input
            type="password"
            autoFocus
            value={value}
            data-testid="token"
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Tenant (optional)</span>
          <input
            value={tenant}
            onChange={(e) => setTenant(e.target.value)}
            placeholder="default"
          />
        </label>
        {error && <div className="field-error" data-testid="signin-error">{error}</div>}
        <button type="submit" className="primary" data-testid="signin">
          Sign in
        </button>
      </form>
    </div>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const [section = "workflows", arg] = route.parts;
  useEffect(() => {
    if (!route.parts.length) navigate("/workflows");
  }, [route.parts.length]);
  let page;
  if (section === "workflows" && arg === "new") page = <WorkflowPage />;
  else if (section === "workflows" && arg) {
    const v = Number(route.query.get("version")) || undefined;
    page = <WorkflowPage name={arg} version={v} />;
  } else if (section === "workflows") page = <TemplatesPage />;
  else if (section === "executions" && arg) page = <ExecutionPage id={arg} />;
  else if (section === "executions") {
    page = <ExecutionsPage query={route.query} />;
  } else if (section === "functions") page = <FunctionsPage name={arg} />;
  else if (section === "triggers") page = <TriggersPage name={arg} />;
  else if (section === "connections") page = <ConnectionsPage />;
  else if (section === "secrets") page = <SecretsPage name={arg} />;
  else if (section === "params") page = <ParamsPage />;
  else if (section === "metrics") page = <MetricsPage />;
  else page = <div className="page">Unknown page</div>;
  return (
    <div className="shell">
      <nav className="nav">
        <span className="brand">
          Aionix<b>One</b> Studio
        </span>
        {NAV.map(([id, label]) => (
          <a
            key={id}
            href={`#/${id}`}
            className={section === id ? "active" : ""}
            data-nav={id}
          >
            {label}
          </a>
        ))}
        <span className="spacer" />
        <button
          type="button"
          className="link"
          onClick={onSignOut}
          data-testid="signout"
        >
          Sign out
        </button>
      </nav>
      <main className="main">{page}</main>
    </div>
  );
}
