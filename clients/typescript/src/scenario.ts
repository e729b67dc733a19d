// A career site's typed calls to followup, checked by `tsc --strict` against
// types generated from openapi/openapi.json (src/schema.d.ts, openapi-typescript).
// If an operation id, a field or a status code changes in the spec, this stops compiling.
import type { components, operations, paths } from "./schema";

type Schemas = components["schemas"];
type InterviewCreate = Schemas["InterviewCreate"];
type InterviewPublic = operations["create_interview"]["responses"][201]["content"]["application/json"];
type EventCreate = Schemas["EventCreate"];
type InterviewActions = operations["list_interview_actions"]["responses"][200]["content"]["application/json"];
type Problem = Schemas["Problem"];
type MessageKind = Schemas["MessageKind"];
type MessagePublic = operations["render_interview_message"]["responses"][200]["content"]["application/json"];

export class FollowupError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
  }
}

export class Followup {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    const init: RequestInit = {
      method,
      headers: { Authorization: `Bearer ${this.apiKey}`, "Content-Type": "application/json" },
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(url, init);
    if (!response.ok) throw new FollowupError((await response.json()) as Problem);
    return (await response.json()) as T;
  }

  createInterview(body: InterviewCreate): Promise<InterviewPublic> {
    const path: keyof paths = "/v1/interviews";
    return this.call<InterviewPublic>("POST", path, body);
  }

  recordEvent(interviewId: string, body: EventCreate): Promise<Schemas["EventPublic"]> {
    return this.call("POST", `/v1/interviews/${encodeURIComponent(interviewId)}/events`, body);
  }

  actions(interviewId: string): Promise<InterviewActions> {
    return this.call("GET", `/v1/interviews/${encodeURIComponent(interviewId)}/actions`);
  }

  message(interviewId: string, kind: MessageKind, contactId?: string): Promise<MessagePublic> {
    const query: Record<string, string> = contactId === undefined ? {} : { contact_id: contactId };
    return this.call("GET", `/v1/interviews/${encodeURIComponent(interviewId)}/messages/${kind}`, undefined, query);
  }
}

/** The scenario a career site runs: an interview with a panel of three, an event, the next actions, every message. */
export async function scenario(api: Followup, startsAt: string): Promise<string[]> {
  const interview = await api.createInterview({
    candidate_name: "Ada Lovelace",
    candidate_email: "ada@example.com",
    job_title: "Analyst",
    company_name: "Engines Ltd",
    starts_at: startsAt,
    format: "virtual",
    interviewers: [
      { name: "Charles Babbage", email: "charles@example.com", role: "hiring_manager" },
      { name: "Mary Somerville", role: "interviewer", linkedin_url: "https://www.linkedin.com/in/mary" },
      { name: "Grace Recruiter", email: "grace@example.com", role: "recruiter" },
    ],
  });
  const [first, second] = interview.interviewers;
  if (first === undefined || second === undefined) throw new Error("the panel was not stored");
  await api.recordEvent(interview.id, { type: "thank_you_sent", contact_id: first.id });
  const { actions } = await api.actions(interview.id);
  const lines = actions.map((a) => `${a.kind} (${a.state}) due ${a.due_at}: ${a.reason}`);
  const kinds: MessageKind[] = ["thank_you", "follow_up", "linkedin_note"];
  for (const kind of kinds) {
    const message = await api.message(interview.id, kind, kind === "follow_up" ? undefined : second.id);
    lines.push(`${message.kind} via ${message.channel}: ${message.subject ?? "(no subject)"}`);
  }
  return lines;
}
