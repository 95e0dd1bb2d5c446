/**
 * The seeded corpus generator used by the demo, the tests and the benchmarks: {@link
 * io.instructlake.corpus.CorpusGenerator} writes every input format with known injected defects and
 * reports them in a {@link io.instructlake.corpus.Manifest}.
 */
package io.instructlake.corpus;
