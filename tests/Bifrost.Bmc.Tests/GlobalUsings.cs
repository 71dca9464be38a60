global using NUnit.Framework;

// Each fixture starts its own ipmi_sim on its own port, so fixtures run in parallel.
[assembly: Parallelizable(ParallelScope.Fixtures)]
