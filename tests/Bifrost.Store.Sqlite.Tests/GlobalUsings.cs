global using NUnit.Framework;

// Every test builds its own temp database (or, in NodeListTests, reads a shared one), so fixtures run in parallel.
[assembly: Parallelizable(ParallelScope.Fixtures)]
