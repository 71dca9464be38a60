using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Bifrost.Domain.Agent;
using NUnit.Framework;

namespace Bifrost.Domain.Tests.Agent;

/// <summary>The pure halves of docs/agent-protocol.md: command encoding, heartbeat parsing, token, inventory rules.</summary>
public sealed class AgentProtocolTests
{
    private static IEnumerable<TestCaseData> BadValues()
    {
        yield return new TestCaseData("/dev/sda\nimage_url=http://evil/").SetName("a value with a newline is refused");
        yield return new TestCaseData("/dev/sda\rx").SetName("a value with a carriage return is refused");
    }

    [TestCaseSource(nameof(BadValues))]
    public void A_command_value_with_a_line_break_is_not_encoded(string value)
    {
        var command = AgentCommand.Simple("write_image", ("id", "c1"), ("root_device_name", value));
        Assert.That(command.TryEncode(out var text, out var error), Is.False);
        Assert.That(text, Is.Empty);
        Assert.That(error, Does.Contain("root_device_name").And.Contain("line break"));
    }

    [Test]
    public void A_command_is_key_value_lines_starting_with_command_and_reads_back()
    {
        var command = AgentCommand.Simple("write_image", ("id", "c3"), ("image_url", "http://10.0.0.1:8080/images/a=b.raw"), ("root_device_serial", ""));
        Assert.That(command.TryEncode(out var text, out var error), Is.True, error);
        Assert.That(text, Is.EqualTo("command=write_image\nid=c3\nimage_url=http://10.0.0.1:8080/images/a=b.raw\nroot_device_serial=\n"));
        Assert.That(AgentCommand.TryRead(text, out var back, out _), Is.True);
        Assert.That(back!.Name, Is.EqualTo("write_image"));
        Assert.That(back["image_url"], Is.EqualTo("http://10.0.0.1:8080/images/a=b.raw"), "split at the first '=' only");
        Assert.That(back["root_device_serial"], Is.EqualTo(""));
    }

    [Test]
    public void A_key_that_is_not_a_plain_word_is_refused()
    {
        Assert.That(AgentCommand.Simple("none", ("a=b", "1")).TryEncode(out _, out var error), Is.False);
        Assert.That(error, Does.Contain("a=b"));
    }

    [Test]
    public void A_full_heartbeat_parses()
    {
        var json = """
            {"agent_token": "T", "agent_version": "bifrost-agent/1", "callback_url": "",
             "bifrost": {"command": {"id": "c7", "name": "write_image", "status": "running",
                         "progress": {"stage": "write", "done": 123, "total": 1000}, "message": "", "result": {}},
                         "log_tail": "line"}}
            """;
        Assert.That(HeartbeatReport.TryRead(Encoding.UTF8.GetBytes(json), out var r, out var error), Is.True, error);
        Assert.That(r!.AgentToken, Is.EqualTo("T"));
        Assert.That(r.IsBifrostAgent, Is.True);
        Assert.That(r.Command!.Id, Is.EqualTo("c7"));
        Assert.That(r.Command.Progress, Is.EqualTo(new CommandProgress("write", 123, 1000)));
        Assert.That(r.LogTail, Is.EqualTo("line"));
    }

    [Test]
    public void An_ironic_python_agent_heartbeat_parses_without_the_extension()
    {
        var json = """{"callback_url": "http://10.0.0.5:9999", "agent_version": "9.4.0", "agent_token": "T"}""";
        Assert.That(HeartbeatReport.TryRead(Encoding.UTF8.GetBytes(json), out var r, out _), Is.True);
        Assert.That(r!.IsBifrostAgent, Is.False);
        Assert.That(r.Command, Is.Null);
    }

    private static IEnumerable<TestCaseData> BadHeartbeats()
    {
        yield return new TestCaseData("{", "Malformed JSON").SetName("truncated JSON is an error, not an exception");
        yield return new TestCaseData("[]", "JSON object").SetName("a heartbeat that is not an object is refused");
        yield return new TestCaseData("""{"agent_token": 5}""", "agent_token must be a string").SetName("a non-string token is refused");
        yield return new TestCaseData("""{"bifrost": {"command": {"id": "c1", "name": "x", "status": "done"}}}""", "status")
            .SetName("an unknown command status is refused");
        yield return new TestCaseData("""{"bifrost": {"command": {"name": "x", "status": "running"}}}""", "id")
            .SetName("a command without an id is refused");
        yield return new TestCaseData("""{"bifrost": {"command": {"id": "c1", "name": "x", "status": "running", "progress": {"done": -1}}}}""", "done")
            .SetName("negative progress is refused");
        yield return new TestCaseData("""{"bifrost": {"command": {"id": "c1", "name": "x", "status": "succeeded", "result": []}}}""", "result")
            .SetName("a result that is not an object is refused");
    }

    [TestCaseSource(nameof(BadHeartbeats))]
    public void Malformed_heartbeats_are_errors(string json, string expected)
    {
        Assert.That(HeartbeatReport.TryRead(Encoding.UTF8.GetBytes(json), out var r, out var error), Is.False);
        Assert.That(r, Is.Null);
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void A_long_log_tail_keeps_its_last_8_KiB()
    {
        var tail = new string('a', 10_000) + "END";
        var json = new JsonObject { ["agent_token"] = "T", ["bifrost"] = new JsonObject { ["log_tail"] = tail } }.ToJsonString();
        Assert.That(HeartbeatReport.TryRead(Encoding.UTF8.GetBytes(json), out var r, out _), Is.True);
        Assert.That(r!.LogTail, Has.Length.EqualTo(HeartbeatReport.MaxLogTail).And.EndsWith("END"));
    }

    [Test]
    public void A_token_matches_only_its_own_hash()
    {
        var (token, hash) = AgentToken.Create();
        var (other, _) = AgentToken.Create();
        Assert.That(token, Has.Length.EqualTo(43).And.Not.Contain("=").And.Not.Contain("+").And.Not.Contain("/"));
        Assert.That(hash, Is.Not.Contain(token));
        Assert.That(AgentToken.Matches(token, hash), Is.True);
        Assert.That(AgentToken.Matches(other, hash), Is.False);
        Assert.That(AgentToken.Matches(null, hash), Is.False);
        Assert.That(AgentToken.Matches(token, null), Is.False);
        Assert.That(AgentToken.Matches(token, "abc"), Is.False, "a damaged stored hash matches nothing");
    }

    private const long GiB = 1L << 30;

    private static JsonObject Inventory(params (string Name, long Size, string Serial)[] disks) => new()
    {
        ["cpu"] = new JsonObject { ["count"] = 4, ["architecture"] = "x86_64" },
        ["memory"] = new JsonObject { ["total"] = 4L * GiB, ["physical_mb"] = 4096 },
        ["disks"] = new JsonArray([.. disks.Select(d => (JsonNode)new JsonObject { ["name"] = d.Name, ["size"] = d.Size, ["serial"] = d.Serial })]),
        ["interfaces"] = new JsonArray(
            new JsonObject { ["name"] = "eth0", ["mac_address"] = "52:54:00:AA:BB:01" },
            new JsonObject { ["name"] = "eth1", ["mac_address"] = "52-54-00-aa-bb-02" },
            new JsonObject { ["name"] = "eth0again", ["mac_address"] = "52:54:00:aa:bb:01" }),
        ["boot"] = new JsonObject { ["current_boot_mode"] = "uefi" },
    };

    private static IEnumerable<TestCaseData> RootDisks()
    {
        var disks = new[] { ("/dev/sda", 2 * GiB, "S1"), ("/dev/sdb", 20 * GiB, "S2"), ("/dev/sdc", 10 * GiB + 5, "S3") };
        yield return new TestCaseData(disks, new JsonObject(), "/dev/sdc", 9L).SetName("no hints: the smallest disk of at least 4 GiB, local_gb = GiB - 1");
        yield return new TestCaseData(disks, new JsonObject { ["root_device"] = new JsonObject { ["serial"] = "s2" } }, "/dev/sdb", 19L)
            .SetName("a serial hint picks that disk (case-insensitive)");
        yield return new TestCaseData(disks, new JsonObject { ["root_device"] = new JsonObject { ["name"] = "sda" } }, "/dev/sda", 1L)
            .SetName("a name hint may omit /dev and may pick a disk under 4 GiB");
        yield return new TestCaseData(disks, new JsonObject { ["root_device"] = new JsonObject { ["size"] = 10 } }, "/dev/sdc", 9L)
            .SetName("a size hint matches whole GiB");
    }

    [TestCaseSource(nameof(RootDisks))]
    public void The_root_disk_follows_ironics_rule(
        (string, long, string)[] disks, JsonObject properties, string expected, long localGb)
    {
        Assert.That(InspectionData.TryRead(Inventory(disks), RootDeviceHints.From(properties), out var data, out _), Is.True);
        Assert.That(data!.RootDisk?.Name, Is.EqualTo(expected));
        data.ApplyTo(properties);
        Assert.That(properties["local_gb"]!.GetValue<long>(), Is.EqualTo(localGb));
    }

    [Test]
    public void Inspection_sets_ironics_properties_and_merges_capabilities()
    {
        var properties = new JsonObject { ["capabilities"] = "boot_mode:bios,disk_label:gpt", ["vendor"] = "x" };
        Assert.That(InspectionData.TryRead(Inventory(("/dev/vda", 8 * GiB, "")), RootDeviceHints.From(properties), out var data, out _), Is.True);
        data!.ApplyTo(properties);
        Assert.That(properties["cpus"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(properties["cpu_arch"]!.GetValue<string>(), Is.EqualTo("x86_64"));
        Assert.That(properties["memory_mb"]!.GetValue<long>(), Is.EqualTo(4096));
        Assert.That(properties["local_gb"]!.GetValue<long>(), Is.EqualTo(7));
        Assert.That(properties["capabilities"]!.GetValue<string>(), Is.EqualTo("boot_mode:uefi,disk_label:gpt"));
        Assert.That(properties["vendor"]!.GetValue<string>(), Is.EqualTo("x"), "other properties stay");
        Assert.That(data.Macs, Is.EqualTo(new[] { "52:54:00:aa:bb:01", "52:54:00:aa:bb:02" }), "normalised, each once");
    }

    [Test]
    public void No_disk_of_4_GiB_means_no_root_disk_and_no_local_gb()
    {
        var properties = new JsonObject();
        Assert.That(InspectionData.TryRead(Inventory(("/dev/vda", 3 * GiB, "")), RootDeviceHints.From(properties), out var data, out _), Is.True);
        data!.ApplyTo(properties);
        Assert.That(data.RootDisk, Is.Null);
        Assert.That(properties.ContainsKey("local_gb"), Is.False);
    }

    [Test]
    public void A_config_drive_dict_becomes_an_openstack_latest_tar()
    {
        var dict = new JsonObject
        {
            ["meta_data"] = new JsonObject { ["uuid"] = "u1", ["hostname"] = "h" },
            ["user_data"] = "#cloud-config\n",
            ["network_data"] = new JsonObject { ["links"] = new JsonArray() },
        };
        Assert.That(ConfigDrive.TryBuild(dict, out var content, out var error), Is.True, error);
        Assert.That(content!.Format, Is.EqualTo("tar"));
        var files = new Dictionary<string, string>();
        using var reader = new TarReader(new MemoryStream(content.Bytes));
        while (reader.GetNextEntry() is { } entry)
            if (entry.DataStream is { } data) files[entry.Name] = new StreamReader(data).ReadToEnd();
        Assert.That(files.Keys, Is.EquivalentTo(new[] { "openstack/latest/meta_data.json", "openstack/latest/user_data", "openstack/latest/network_data.json" }));
        Assert.That(JsonNode.Parse(files["openstack/latest/meta_data.json"])!["uuid"]!.GetValue<string>(), Is.EqualTo("u1"));
        Assert.That(files["openstack/latest/user_data"], Is.EqualTo("#cloud-config\n"));
    }

    [Test]
    public void A_config_drive_string_is_a_base64_gzipped_iso()
    {
        var iso = Encoding.ASCII.GetBytes("CD001 pretend ISO");
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionMode.Compress, leaveOpen: true)) z.Write(iso);
        Assert.That(ConfigDrive.TryBuild(Convert.ToBase64String(gz.ToArray()), out var content, out _), Is.True);
        Assert.That(content!.Format, Is.EqualTo("iso"));
        Assert.That(content.Bytes, Is.EqualTo(iso));
        Assert.That(ConfigDrive.TryBuild("not base64!", out _, out var error), Is.False);
        Assert.That(error, Does.Contain("base64"));
    }

    [Test]
    public void A_clean_report_reads_per_disk()
    {
        var report = JsonNode.Parse("""
            {"disks": [{"device": "/dev/vda", "serial": "S1", "method": "metadata", "bytes": 2097152, "duration_s": 0.4, "result": "ok"},
                       {"device": "/dev/vdb", "method": "overwrite", "bytes": 0, "duration_s": 1, "result": "failed", "error": "I/O error"}]}
            """)!.AsObject();
        Assert.That(CleanReport.TryRead(report, out var disks, out _), Is.True);
        Assert.That(disks.Select(d => d.Line()), Is.EqualTo(new[]
        {
            "/dev/vda (serial S1): metadata, 2 MiB in 0.4 s: ok",
            "/dev/vdb: overwrite, 0 bytes in 1.0 s: failed: I/O error",
        }));
        Assert.That(CleanReport.TryRead(new JsonObject(), out _, out var error), Is.False);
        Assert.That(error, Does.Contain("disks"));
    }
}
