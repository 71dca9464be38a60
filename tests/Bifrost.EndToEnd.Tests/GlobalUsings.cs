global using System.Text.Json;
global using Bifrost.TestKit;
global using NUnit.Framework;

// Each fixture owns one daemon and its own state directory, so fixtures can run side by side. Most of a CLI call is
// Python start-up or a --wait poll sleeping, so three at a time keep two cores busy without starving the
// time-sensitive observations (transient states seen through `node show`).
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]
