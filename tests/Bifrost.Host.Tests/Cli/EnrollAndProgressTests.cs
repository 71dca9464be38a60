using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Cli;

/// <summary><c>bifrost enroll</c> of a 20-node inventory, and the live progress of <c>--wait</c> in a terminal.</summary>
public partial class ClientVerbTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Test]
    public async Task Enroll_creates_20_nodes_with_ports_then_is_idempotent_and_updates_what_changed()
    {
        var first = await Json("enroll", Fixture("inventory-20.yaml"));
        Assert.That(first["created"]!.GetValue<int>(), Is.EqualTo(20), first.ToJsonString());
        Assert.That(first["failed"]!.GetValue<int>(), Is.Zero, first.ToJsonString());

        var nodes = (await Json("node", "list"))["nodes"]!.AsArray().Where(n => S(n!["name"]).StartsWith("rack1-", StringComparison.Ordinal)).ToList();
        Assert.That(nodes, Has.Count.EqualTo(20));
        var ipmi = await Json("node", "show", "rack1-05");
        Assert.That(S(ipmi["driver"]), Is.EqualTo("ipmi"));
        Assert.That(S(ipmi["driver_info"]!["ipmi_address"]), Is.EqualTo("192.0.2.5"), "bmc: address → ipmi_address");
        Assert.That(S(ipmi["driver_info"]!["ipmi_password"]), Is.EqualTo("******"));
        Assert.That(ipmi["properties"]!["memory_mb"]!.GetValue<long>(), Is.EqualTo(8197), "plain YAML numbers stay numbers");
        var ports = (await Json("port", "list"))["ports"]!.AsArray().Select(p => S(p!["address"])).ToList();
        Assert.That(Enumerable.Range(1, 20).Select(i => $"52:54:00:aa:00:{i:x2}"), Is.SubsetOf(ports));

        var again = await Json("enroll", Fixture("inventory-20.yaml"));
        Assert.That(again["unchanged"]!.GetValue<int>(), Is.EqualTo(20), again.ToJsonString());
        Assert.That(again["created"]!.GetValue<int>() + again["updated"]!.GetValue<int>(), Is.Zero);

        var changed = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        try
        {
            var yaml = await File.ReadAllTextAsync(Fixture("inventory-20.yaml"));
            yaml = yaml.Replace("    memory_mb: 8195\n", "    memory_mb: 16384\n", StringComparison.Ordinal)
                .Replace("    - mac: \"52:54:00:aa:00:03\"\n", "    - mac: \"52:54:00:aa:00:03\"\n    - mac: \"52:54:00:aa:01:03\"\n", StringComparison.Ordinal);
            await File.WriteAllTextAsync(changed, yaml);
            var update = await Json("enroll", changed);
            var rows = update["nodes"]!.AsArray().Select(n => n!.AsObject()).ToDictionary(n => S(n["name"]));
            Assert.That(S(rows["rack1-03"]["result"]), Is.EqualTo("updated"));
            Assert.That(rows["rack1-03"]["changes"]!.AsArray().Select(S),
                Is.EquivalentTo(new[] { "properties.memory_mb", "port 52:54:00:aa:01:03" }));
            Assert.That(update["unchanged"]!.GetValue<int>(), Is.EqualTo(19));
            Assert.That((await Json("node", "show", "rack1-03"))["properties"]!["memory_mb"]!.GetValue<long>(), Is.EqualTo(16384));

            var table = (await Expect(0, "enroll", changed)).Out;
            Assert.That(table, Does.Contain("rack1-03").And.Contain("unchanged").And.Contain("0 created, 0 updated, 20 unchanged, 0 failed"));
        }
        finally
        {
            File.Delete(changed);
        }
    }

    [Test]
    public async Task Enroll_reports_a_node_whose_mac_belongs_to_another_and_exits_1()
    {
        var owner = NewName("owner");
        await Json("node", "create", "--driver", "fake-hardware", "--name", owner);
        await Json("port", "create", "52:54:00:cc:00:01", "--node", owner);
        var file = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        var thief = NewName("thief");
        var ok = NewName("fine");
        await File.WriteAllTextAsync(file, $"""
            nodes:
              - name: {thief}
                driver: fake-hardware
                macs: ["52:54:00:cc:00:01"]
              - name: {ok}
                driver: fake-hardware
            """);
        try
        {
            var run = await Expect(1, "enroll", file, "--json");
            var rows = JsonNode.Parse(run.Out)!["nodes"]!.AsArray();
            Assert.That(S(rows[0]!["result"]), Is.EqualTo("failed"));
            Assert.That(S(rows[0]!["error"]), Does.Contain("52:54:00:cc:00:01 already belongs to node"));
            Assert.That(S(rows[1]!["result"]), Is.EqualTo("created"), "one failure does not stop the others");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Deploy_wait_in_a_terminal_redraws_one_status_line_until_active()
    {
        var name = NewName("tty");
        await Json("node", "create", "--driver", "fake-hardware", "--name", name);
        await Json("node", "manage", name, "--wait");
        await Json("node", "provide", name, "--wait");

        var run = await Cli.RunInTerminalAsync("node", "deploy", name, "--wait");
        Assert.That(run.Code, Is.Zero, run.ToString());
        var screen = run.Out;
        TestContext.Progress.WriteLine(screen.Replace("\u001b", "^[", StringComparison.Ordinal));
        // The status line is redrawn in place: carriage return + erase line, then "[m:ss] node: state → target".
        var redraws = Regex.Matches(screen, $@"\r\u001b\[2K\[(\d+:\d\d)\] {Regex.Escape(name)}: deploying → active");
        Assert.That(redraws, Has.Count.GreaterThanOrEqualTo(2), "the deploy takes seconds: the line is redrawn while it runs");
        Assert.That(redraws.Select(m => m.Groups[1].Value).Distinct().Count(), Is.GreaterThanOrEqualTo(2), "elapsed time moves");
        Assert.That(screen, Does.Match($@"\[\d+:\d\d\] {Regex.Escape(name)}: active"));
        Assert.That(screen, Does.Match($@"{Regex.Escape(name)}: active after \d+\.\d s"));
    }

    [Test]
    public async Task Deploy_wait_into_a_pipe_prints_plain_lines_without_escape_sequences()
    {
        var name = NewName("pipe");
        await Json("node", "create", "--driver", "fake-hardware", "--name", name);
        await Json("node", "manage", name, "--wait");
        await Json("node", "provide", name, "--wait");

        var run = await Expect(0, "node", "deploy", name, "--wait");
        Assert.That(run.Out, Does.Not.Contain("\u001b").And.Not.Contain("\r"));
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Match($@"^\[0:0\d\] {Regex.Escape(name)}: deploying → active$"));
        Assert.That(lines, Has.Some.Match($@"^\[\d+:\d\d\] {Regex.Escape(name)}: active$"));
        Assert.That(lines[^1], Does.Match($@"^{Regex.Escape(name)}: active after \d+\.\d s$"));
        Assert.That(lines.Count(l => l.Contains("deploying → active", StringComparison.Ordinal)), Is.EqualTo(1),
            "a pipe gets one line per change, not one per poll");
    }
}
