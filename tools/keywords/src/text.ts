import stopword from 'stopword'

/**
 * English stopwords: the `stopword` package's list plus function words and contractions it
 * leaves out (not, no, will, just, it's, don't, …), which would otherwise surface as keywords.
 */
export const englishStopwords: ReadonlySet<string> = new Set([
  ...stopword.eng,
  ...[
    'not',
    'no',
    'nor',
    'so',
    'just',
    'will',
    'its',
    'us',
    'yet',
    'does',
    'doing',
    'having',
    'below',
    'above',
    'again',
    'once',
    'off',
    'few',
    'own',
    'why',
    'whom',
    'shall',
    'ought',
    'cannot',
    'were',
    'been',
    'upon',
    'via',
    'per',
    'etc',
    'le',
    'ok',
    'okay',
    'really',
    'it’s',
    "it's",
    "don't",
    'don’t',
    "i'm",
    'i’m',
    "i've",
    'i’ve',
    "can't",
    'can’t',
    "won't",
    'won’t',
    "isn't",
    'isn’t',
    "doesn't",
    'doesn’t',
    "didn't",
    'didn’t',
    "wasn't",
    'wasn’t',
    "aren't",
    'aren’t',
    "that's",
    'that’s',
    "there's",
    'there’s',
    "you're",
    'you’re',
    "we're",
    'we’re',
    "they're",
    'they’re',
    "i'd",
    'i’d',
    "i'll",
    'i’ll',
    'im',
    'ive',
    'dont',
  ],
])

const wordPattern = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu

/**
 * Splits text into sentences at `.`, `!`, `?` or `…` followed by white space, and at line
 * breaks. Deterministic: no locale data involved.
 *
 * @example splitSentences('Hello there. How are you?\nFine') // ['Hello there.', 'How are you?', 'Fine']
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\s*[\r\n]+\s*/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => /[\p{L}\p{N}]/u.test(sentence))
}

/**
 * Lowercased words of a text (letters and digits, with inner apostrophes or hyphens kept).
 *
 * @example tokenize("Gotong-royong isn't easy") // ['gotong-royong', "isn't", 'easy']
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(wordPattern) ?? []
}

/** Whether a word carries content: not a stopword, not a number, longer than one character. */
export function isContentWord(word: string, stopwords: ReadonlySet<string> = englishStopwords) {
  return word.length > 1 && !stopwords.has(word) && !/^[\p{N}.,'’-]+$/u.test(word)
}
