global using System.Text.Json;
global using Bifrost.TestKit;
global using NUnit.Framework;

// Each fixture owns one daemon and its own state directory, so fixtures can run side by side. A CLI call is mostly
// Python start-up (CPU) and TransientStateTests mostly sleeps, so four at a time keep two cores busy.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
