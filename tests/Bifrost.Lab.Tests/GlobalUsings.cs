global using System.Text.Json;
global using System.Text.Json.Nodes;
global using Bifrost.TestKit;
global using NUnit.Framework;

// Every test boots QEMU under TCG on a 2-core machine: one lab at a time.
[assembly: NonParallelizable]
