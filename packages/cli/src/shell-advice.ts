// The CLI speaks shell: core's explanations advise API calls (`waitForPort(...)`,
// `port: 'auto'`) to code; a person at a terminal gets the rebind command that does the
// same. Every rewrite is listed here, and a test fails if an API call is left.

const rewrites: readonly (readonly [RegExp, string])[] = [
  [/waitForPort\((\d+), \{ until: 'free' \}\)/g, '`rebind wait $1 --free`'],
  [/waitForPort\((\d+), \{ until: 'listening' \}\)/g, '`rebind wait $1 --listening`'],
  [
    /let rebind choose a port \(port: 'auto'\)/g,
    'let rebind choose one (`rebind port --hold -- <command>` sets $PORT)',
  ],
];

/** `text` (an explanation or error message from @rebind/core) with shell commands for API calls. */
export function shellAdvice(text: string): string {
  return rewrites.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}
