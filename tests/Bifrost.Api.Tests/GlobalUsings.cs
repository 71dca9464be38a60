global using System.Text.Json.Nodes;
global using Bifrost.Api.Tests.Support;
global using NUnit.Framework;

// Every fixture starts its own Bifrost on its own port and state directory, so fixtures run in parallel; the tests
// inside one fixture share its server and run one after another.
[assembly: Parallelizable(ParallelScope.Fixtures)]
