/** The three errnos a bind fails with, whatever the language and the OS. */
export type BindErrno = 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL';

export interface TextCause {
  readonly errno: BindErrno;
  /**
   * Windows' WSAEACCES (10013, "forbidden by its access permissions"): on a port no privilege
   * guards, it usually means the port lies in an excluded range (Hyper-V, WSL, Docker) or
   * another process holds it with exclusive access, not a missing privilege.
   */
  readonly windows?: true;
}

// Error numbers only count next to a word that makes them one ("[Errno 98]", "(98:",
// "errno=98", "os error 98", "(10048)"): a bare 98 or 10013 may be a port or a timestamp.
const number = (codes: string) =>
  `(?:\\[(?:errno|winerror) (?:${codes})\\]|\\((?:${codes})\\)|\\((?:${codes}):|\\[(?:${codes})\\]|(?:errno|error|os error|code|exception)[ =:(]{0,3}-?(?:${codes})\\b)`;

/** Phrases per errno, in every wording the corpus holds (English, German, French, Chinese, Italian). */
const phrases: readonly (readonly [BindErrno, RegExp])[] = [
  [
    'EACCES',
    new RegExp(
      [
        'EACCES',
        'permission denied',
        'forbidden by its access permissions',
        '以一种访问\\s*权限不允许',
        'aufgrund der Zugriffsrechte',
        'interdite par ses autorisations',
        'non consentite dalle autorizzazioni',
        'cannot expose privileged port',
        number('13|10013'),
      ].join('|'),
      'i',
    ),
  ],
  [
    'EADDRNOTAVAIL',
    new RegExp(
      [
        'EADDRNOTAVAIL',
        "can(?:no|')t assign requested address",
        'AddrNotAvailable',
        'address not available',
        'angeforderte Adresse ist in diesem Kontext ungültig',
        "adresse demandée n'est pas valide",
        '请求的地址无效',
        number('99|49|10049'),
      ].join('|'),
      'i',
    ),
  ],
  [
    'EADDRINUSE',
    new RegExp(
      [
        'EADDRINUSE',
        'add?ress(?:es)? already in use',
        'address in use',
        'connection in use',
        'already in use',
        'already be in use',
        'is in use by another',
        'already allocated',
        'already taken',
        'already bound',
        'only one usage of each socket address',
        'jeweils einmal verwendet',
        '每个套接字地',
        'seule utilisation de chaque adresse',
        'wird bereits verwendet',
        'AddrInUse',
        number('98|48|10048'),
      ].join('|'),
      'i',
    ),
  ],
];

const windowsWording =
  /forbidden by its access permissions|以一种访问\s*权限不允许|Zugriffsrechte|interdite par ses autorisations|autorizzazioni|10013|WinError/i;

/** What a stretch of text says went wrong; a permission word wins over the others. */
export function causeIn(text: string): TextCause | undefined {
  const flat = text.replace(/\s+/g, ' ');
  for (const [errno, pattern] of phrases) {
    if (!pattern.test(flat)) continue;
    return errno === 'EACCES' && windowsWording.test(flat) ? { errno, windows: true } : { errno };
  }
  return undefined;
}
