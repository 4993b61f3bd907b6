import { describe, expect, it } from 'vitest';
import { shellAdvice } from './shell-advice.js';

describe('shellAdvice', () => {
  it('turns the API advice of an explanation into rebind commands', () => {
    expect(
      shellAdvice(
        "Port 18765 is in use: pid 1609 (python3) listens on 127.0.0.1:18765. If that process is yours, stop it and wait for the port (waitForPort(18765, { until: 'free' })); otherwise choose another port, or let rebind choose a port (port: 'auto').",
      ),
    ).toBe(
      'Port 18765 is in use: pid 1609 (python3) listens on 127.0.0.1:18765. If that process is yours, stop it and wait for the port (`rebind wait 18765 --free`); otherwise choose another port, or let rebind choose one (`rebind port --hold -- <command>` sets $PORT).',
    );
  });
});
