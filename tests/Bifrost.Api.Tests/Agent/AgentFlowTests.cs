using System.Formats.Tar;
using System.Security.Cryptography;
using Bifrost.Domain.Agent;

namespace Bifrost.Api.Tests.Agent;

/// <summary>
/// The agent flows end to end inside one process: the real API and conductor, a real BMC (ipmi_sim: its power and
/// boot device are what the conductor drove) and the agent played by the test over HTTP.
/// </summary>
public sealed class AgentFlowTests : AgentFixture
{
    private const long GiB = 1L << 30;

    private static JsonObject InventoryFor(string mac, string newMac) => new()
    {
        ["cpu"] = new JsonObject { ["count"] = 2, ["architecture"] = "x86_64", ["model_name"] = "QEMU Virtual CPU" },
        ["memory"] = new JsonObject { ["total"] = 2L * GiB, ["physical_mb"] = 2048 },
        ["disks"] = new JsonArray(
            new JsonObject { ["name"] = "/dev/vda", ["size"] = 10 * GiB, ["serial"] = "S1", ["rotational"] = true },
            new JsonObject { ["name"] = "/dev/vdb", ["size"] = 2 * GiB, ["serial"] = "S2", ["rotational"] = true }),
        ["interfaces"] = new JsonArray(
            new JsonObject { ["name"] = "eth0", ["mac_address"] = mac, ["has_carrier"] = true },
            new JsonObject { ["name"] = "eth1", ["mac_address"] = newMac, ["has_carrier"] = false }),
        ["boot"] = new JsonObject { ["current_boot_mode"] = "bios", ["pxe_interface"] = mac },
        ["system_vendor"] = new JsonObject { ["manufacturer"] = "QEMU" },
    };

    private static JsonObject CleanResult(string status = "ok") => new()
    {
        ["disks"] = new JsonArray(
            new JsonObject { ["device"] = "/dev/vda", ["serial"] = "S1", ["method"] = "metadata", ["bytes"] = 2 << 20, ["duration_s"] = 0.2, ["result"] = "ok" },
            new JsonObject { ["device"] = "/dev/vdb", ["serial"] = "S2", ["method"] = "metadata", ["bytes"] = 2 << 20, ["duration_s"] = 0.3, ["result"] = status, ["error"] = status == "ok" ? null : "I/O error" }),
    };

    [Test]
    public async Task Inspection_stores_the_inventory_sets_properties_adds_ports_and_powers_off()
    {
        var (uuid, mac) = await ManageableNodeAsync(new JsonObject { ["capabilities"] = "disk_label:gpt" });
        var before = await Api.GetAsync($"/v1/nodes/{uuid}/inventory", "1.81");
        Assert.That(before.Status, Is.EqualTo(404));
        Assert.That(before.Body, Does.Contain($"Node inventory for node {uuid} could not be found."));

        await Api.ProvisionAsync(uuid, "inspect");
        Assert.That(await StateOf(uuid), Is.EqualTo("inspect wait"));
        Assert.That(Bmc.PowerOn, Is.True, "booted into the ramdisk");
        Assert.That(Bmc.BootDevice, Is.EqualTo("pxe"));

        using var agent = NewAgent(uuid);
        var command = await agent.FirstCommandAsync(mac);
        Assert.That(command.Name, Is.EqualTo("inspect"));
        var (running, idle) = await agent.HeartbeatAsync(ScriptedAgent.Report(command, "running"));
        Assert.That(running.Status, Is.EqualTo(202));
        Assert.That(idle!.Name, Is.EqualTo("none"));
        Assert.That(idle["interval"], Is.EqualTo("5"));

        var newMac = Macs.New();
        var (done, exit) = await agent.HeartbeatAsync(ScriptedAgent.Report(command, "succeeded",
            new JsonObject { ["inventory"] = InventoryFor(mac.ToUpperInvariant(), newMac) }));
        Assert.That(done.Status, Is.EqualTo(202), done.ToString());
        Assert.That(exit!.Name, Is.EqualTo("exit"));
        await Server.IdleAsync(30);

        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("manageable"), node.ToJsonString());
        Assert.That(Bmc.PowerOn, Is.False, "powered off after inspection");
        var p = node["properties"]!.AsObject();
        Assert.That(p["cpus"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(p["cpu_arch"]!.GetValue<string>(), Is.EqualTo("x86_64"));
        Assert.That(p["memory_mb"]!.GetValue<int>(), Is.EqualTo(2048));
        Assert.That(p["local_gb"]!.GetValue<int>(), Is.EqualTo(9), "10 GiB root disk (the 2 GiB one is too small) - 1");
        Assert.That(p["capabilities"]!.GetValue<string>(), Is.EqualTo("disk_label:gpt,boot_mode:bios"));
        Assert.That(node["inspection_finished_at"]?.GetValue<string>(), Is.Not.Null);

        var ports = (await Api.GetAsync($"/v1/ports?node_uuid={uuid}")).Object["ports"]!.AsArray()
            .Select(x => x!["address"]!.GetValue<string>()).ToList();
        Assert.That(ports, Is.EquivalentTo(new[] { mac, newMac }), "a port for the new MAC, none twice");

        var inventory = await Api.GetAsync($"/v1/nodes/{uuid}/inventory", "1.81");
        Assert.That(inventory.Status, Is.EqualTo(200), inventory.ToString());
        Assert.That(inventory.Object["inventory"]!["cpu"]!["count"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(inventory.Object["plugin_data"], Is.InstanceOf<JsonObject>());
        Assert.That((await Api.GetAsync($"/v1/nodes/{uuid}/inventory", "1.80")).Status, Is.EqualTo(404), "not before 1.81");

        Assert.That(await AgentHistory(uuid), Has.Some.Contains("first heartbeat").And.Some.Contains("command inspect (c1) issued")
            .And.Some.Contains("inventory (c1): 2 CPU x86_64"));
        var (late, _) = await agent.HeartbeatAsync(ScriptedAgent.Report(command, "succeeded"));
        Assert.That(late.Status, Is.EqualTo(409), "a heartbeat after the node left the ramdisk is refused");
    }

    [Test]
    public async Task Provide_runs_metadata_cleaning_with_a_per_disk_report()
    {
        var (uuid, mac) = await ManageableNodeAsync();
        await Api.ProvisionAsync(uuid, "provide");
        Assert.That(await StateOf(uuid), Is.EqualTo("clean wait"));
        Assert.That(Bmc.PowerOn, Is.True);

        using var agent = NewAgent(uuid);
        var command = await agent.FirstCommandAsync(mac);
        Assert.That(command.Name, Is.EqualTo("erase_devices_metadata"), "Agent:CleanMethod defaults to metadata");
        var (_, exit) = await agent.HeartbeatAsync(ScriptedAgent.Report(command, "succeeded", CleanResult()));
        Assert.That(exit!.Name, Is.EqualTo("exit"));
        await Server.IdleAsync(30);

        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("available"), node.ToJsonString());
        Assert.That(Bmc.PowerOn, Is.False);
        Assert.That(node["driver_internal_info"]!["clean_report"]!["disks"]!.AsArray(), Has.Count.EqualTo(2));
        var lines = await AgentHistory(uuid);
        Assert.That(lines, Has.Some.EqualTo("erase_devices_metadata (c1): /dev/vda (serial S1): metadata, 2 MiB in 0.2 s: ok"));
        Assert.That(lines, Has.Some.EqualTo("erase_devices_metadata (c1): /dev/vdb (serial S2): metadata, 2 MiB in 0.3 s: ok"));
    }

    [Test]
    public async Task Manual_cleaning_runs_the_named_steps_in_order_and_acts_on_a_repeated_result_once()
    {
        var (uuid, mac) = await ManageableNodeAsync();
        await ProvisionAsync(uuid, new
        {
            target = "clean",
            clean_steps = new[] { new { @interface = "deploy", step = "erase_devices_metadata" }, new { @interface = "deploy", step = "erase_devices" } },
        });
        Assert.That(await StateOf(uuid), Is.EqualTo("clean wait"));
        using var agent = NewAgent(uuid);
        var first = await agent.FirstCommandAsync(mac);
        Assert.That(first.Name, Is.EqualTo("erase_devices_metadata"));
        var (_, second) = await agent.HeartbeatAsync(ScriptedAgent.Report(first, "succeeded", CleanResult()));
        Assert.That(second!.Name, Is.EqualTo("erase_devices"));
        Assert.That(second["id"], Is.EqualTo("c2"));

        // The answer to that heartbeat was "lost": the agent repeats c1's result. It is not acted on again; c2 is resent.
        var (_, again) = await agent.HeartbeatAsync(ScriptedAgent.Report(first, "succeeded", CleanResult()));
        Assert.That(again!.Name, Is.EqualTo("erase_devices"));
        Assert.That(again["id"], Is.EqualTo("c2"));
        Assert.That((await AgentHistory(uuid)).Count(l => l.StartsWith("erase_devices_metadata (c1): /dev/vda", StringComparison.Ordinal)), Is.EqualTo(1));

        var (_, exit) = await agent.HeartbeatAsync(ScriptedAgent.Report(second, "succeeded", CleanResult()));
        Assert.That(exit!.Name, Is.EqualTo("exit"));
        await Server.IdleAsync(30);
        Assert.That(await StateOf(uuid), Is.EqualTo("manageable"), "manual cleaning returns to manageable");
        Assert.That(Bmc.PowerOn, Is.False);
    }

    [Test]
    public async Task An_unknown_clean_step_is_refused_before_anything_happens()
    {
        var (uuid, _) = await ManageableNodeAsync();
        var reply = await Api.PutAsync($"/v1/nodes/{uuid}/states/provision",
            new { target = "clean", clean_steps = new[] { new { @interface = "deploy", step = "erase_everything" } } });
        Assert.That(reply.Status, Is.EqualTo(400));
        Assert.That(reply.Body, Does.Contain("erase_everything").And.Contain("not supported"));
        Assert.That(await StateOf(uuid), Is.EqualTo("manageable"));
        Assert.That(Bmc.Calls, Has.None.Contains("set power"), "no power action");
    }

    [Test]
    public async Task A_failed_clean_disk_fails_cleaning_with_the_message_and_powers_off()
    {
        var (uuid, mac) = await ManageableNodeAsync();
        await Api.ProvisionAsync(uuid, "provide");
        using var agent = NewAgent(uuid);
        var command = await agent.FirstCommandAsync(mac);
        await agent.HeartbeatAsync(ScriptedAgent.Report(command, "succeeded", CleanResult("failed")));
        await Server.IdleAsync(30);
        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("clean failed"));
        Assert.That(node["last_error"]!.GetValue<string>(), Is.EqualTo("erase_devices_metadata failed on the agent: disk /dev/vdb: I/O error"));
        Assert.That(Bmc.PowerOn, Is.False);
    }

    [Test]
    public async Task Deploy_writes_the_image_from_the_boot_server_then_boots_from_disk_and_undeploy_cleans()
    {
        var (uuid, mac) = await ManageableNodeAsync(new JsonObject { ["root_device"] = new JsonObject { ["serial"] = "S1" } });
        await ProvideThroughAgentAsync(uuid, mac, CleanResult());
        Assert.That(await StateOf(uuid), Is.EqualTo("available"));

        var image = RandomNumberGenerator.GetBytes(300_000);
        var sha = AddImage("deploy-ok.raw", image);
        var patch = await Api.PatchAsync($"/v1/nodes/{uuid}", new object[]
        {
            new { op = "add", path = "/instance_info/image_source", value = "deploy-ok.raw" },
            new { op = "add", path = "/instance_info/image_checksum", value = sha },
        });
        Assert.That(patch.Status, Is.EqualTo(200), patch.ToString());
        await ProvisionAsync(uuid, new
        {
            target = "active",
            configdrive = new { meta_data = new { uuid, hostname = "deployed" }, user_data = "#cloud-config\n" },
        });
        Assert.That(await StateOf(uuid), Is.EqualTo("wait call-back"));
        Assert.That(Bmc.PowerOn, Is.True);
        Assert.That(Bmc.BootDevice, Is.EqualTo("pxe"));

        using var agent = NewAgent(uuid);
        var write = await agent.FirstCommandAsync(mac);
        Assert.That(write.Name, Is.EqualTo("write_image"));
        Assert.That(write["image_url"], Is.EqualTo($"http://127.0.0.1:{BootPort}/images/deploy-ok.raw"));
        Assert.That(write["image_format"], Is.EqualTo("raw"));
        Assert.That(write["image_hash_algo"], Is.EqualTo("sha256"));
        Assert.That(write["image_hash"], Is.EqualTo(sha));
        Assert.That(write["image_size"], Is.EqualTo(image.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(write["root_device_serial"], Is.EqualTo("S1"));
        Assert.That(write["root_device_name"], Is.EqualTo(""));
        Assert.That(write["configdrive_url"], Is.EqualTo($"{Api.Base}/v1/agent/{uuid}/configdrive"));
        Assert.That(write["configdrive_format"], Is.EqualTo("tar"));

        // The agent's side: the image really comes from the boot server, and the config drive needs the token.
        var (imageStatus, served) = await agent.DownloadAsync(write["image_url"]!, withToken: false);
        Assert.That(imageStatus, Is.EqualTo(200));
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(served)), Is.EqualTo(sha));
        Assert.That((await agent.DownloadAsync(write["configdrive_url"]!, withToken: false)).Status, Is.EqualTo(400));
        var (driveStatus, drive) = await agent.DownloadAsync(write["configdrive_url"]!, withToken: true);
        Assert.That(driveStatus, Is.EqualTo(200));
        using (var tar = new TarReader(new MemoryStream(drive)))
        {
            var names = new List<string>();
            while (tar.GetNextEntry() is { } e) names.Add(e.Name);
            Assert.That(names, Does.Contain("openstack/latest/meta_data.json").And.Contain("openstack/latest/user_data"));
        }

        await agent.HeartbeatAsync(ScriptedAgent.Report(write, "running",
            progress: new JsonObject { ["stage"] = "write", ["done"] = 150_000, ["total"] = image.Length }));
        // The last progress is kept with the command in flight, where `bifrost node deploy --wait` reads it.
        var writing = (await Node(uuid))["driver_internal_info"]!["agent_command"]!;
        Assert.That(writing["progress"]?.ToJsonString(), Is.EqualTo($"{{\"stage\":\"write\",\"done\":150000,\"total\":{image.Length}}}"));
        var (_, exit) = await agent.HeartbeatAsync(ScriptedAgent.Report(write, "succeeded", new JsonObject
        {
            ["device"] = "/dev/vda", ["bytes_written"] = image.Length, ["hash_algo"] = "sha256", ["hash"] = sha,
            ["duration_s"] = 1.5, ["configdrive"] = "/dev/vda2",
        }));
        Assert.That(exit!.Name, Is.EqualTo("exit"));
        await Server.IdleAsync(30);

        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("active"), node.ToJsonString());
        Assert.That(Bmc.PowerOn, Is.True);
        Assert.That(Bmc.BootDevice, Is.EqualTo("default"), "ipmi_sim forwards the disk device as 'default'");
        var (code, bootparam) = Bmc.Ipmitool("chassis", "bootparam", "get", "5");
        Assert.That(code, Is.Zero, bootparam);
        Assert.That(bootparam, Does.Contain("Force Boot from default Hard-Drive"));
        var lines = await AgentHistory(uuid);
        // Command ids run on across boots of one node (the cleaning before was c1).
        Assert.That(write["id"], Is.EqualTo("c2"));
        Assert.That(lines, Has.Some.StartsWith("write_image (c2): 50% (write"));
        Assert.That(lines, Has.Some.Contains("image written (c2) to /dev/vda").And.Some.Contains("config drive on /dev/vda2"));
        Assert.That(node["driver_internal_info"]!.AsObject().ContainsKey(AgentState.TokenKey), Is.False, "token forgotten when the node left the ramdisk");

        await Api.ProvisionAsync(uuid, "undeploy");
        Assert.That(await StateOf(uuid), Is.EqualTo("clean wait"), "undeploy: power off, then automated cleaning in the ramdisk");
        using var cleanAgent = NewAgent(uuid);
        var erase = await cleanAgent.FirstCommandAsync(mac);
        Assert.That(cleanAgent.Token, Is.Not.EqualTo(agent.Token), "a new boot, a new token");
        await cleanAgent.HeartbeatAsync(ScriptedAgent.Report(erase, "succeeded", CleanResult()));
        await Server.IdleAsync(30);
        node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("available"));
        Assert.That(node["instance_info"]!.AsObject(), Is.Empty);
        Assert.That(Bmc.PowerOn, Is.False);
    }

    [Test]
    public async Task A_write_image_failure_on_the_agent_fails_the_deploy_with_its_message_and_log_tail()
    {
        var (uuid, mac) = await AvailableWithImageAsync("fail.raw");
        await Api.ProvisionAsync(uuid, "active");
        using var agent = NewAgent(uuid);
        var write = await agent.FirstCommandAsync(mac);
        var (_, exit) = await agent.HeartbeatAsync(ScriptedAgent.Report(write, "failed", message: "no space left on /dev/vda"),
            logTail: "dd: error writing '/dev/vda': No space left on device");
        Assert.That(exit!.Name, Is.EqualTo("exit"));
        await Server.IdleAsync(30);
        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]!.GetValue<string>(), Is.EqualTo("write_image failed on the agent: no space left on /dev/vda"));
        Assert.That(Bmc.PowerOn, Is.False, "powered off on failure");
        Assert.That(await AgentHistory(uuid), Has.Some.Contains("No space left on device"), "log tail in the history");
    }

    [Test]
    public async Task A_wrong_checksum_fails_the_deploy_before_any_power_action()
    {
        var (uuid, _) = await AvailableWithImageAsync("bad.raw", checksum: new string('0', 64));
        var calls = Bmc.Calls.Count;
        await Api.ProvisionAsync(uuid, "active");
        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]!.GetValue<string>(), Does.Contain("checksum mismatch").And.Contain(new string('0', 64)));
        Assert.That(Bmc.Calls.Skip(calls), Is.Empty, "the BMC saw nothing");
        Assert.That(Bmc.PowerOn, Is.False);
    }

    [Test]
    public async Task Abort_in_wait_call_back_fails_the_deploy_powers_off_and_forgets_the_token()
    {
        var (uuid, mac) = await AvailableWithImageAsync("abort.raw");
        await Api.ProvisionAsync(uuid, "active");
        using var agent = NewAgent(uuid);
        await agent.FirstCommandAsync(mac);
        await Api.ProvisionAsync(uuid, "abort");
        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]!.GetValue<string>(), Does.Contain("aborted"));
        Assert.That(Bmc.PowerOn, Is.False);
        Assert.That(node["driver_internal_info"]!.AsObject().ContainsKey(AgentState.TokenKey), Is.False);
        var (late, _) = await agent.HeartbeatAsync();
        Assert.That(late.Status, Is.EqualTo(409));
    }

    [Test]
    public async Task Restart_recovery_fails_a_wait_state_and_powers_the_node_off()
    {
        var (uuid, _) = await AvailableWithImageAsync("restart.raw");
        await Api.ProvisionAsync(uuid, "active");
        Assert.That(await StateOf(uuid), Is.EqualTo("wait call-back"));
        // What `bifrost serve` runs at start-up (ConductorService): here on the live conductor.
        Assert.That(await Server.Conductor.RecoverAsync(), Is.GreaterThanOrEqualTo(1));
        await Server.IdleAsync(30);
        var node = await Node(uuid);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]!.GetValue<string>(), Does.Contain("restarted while the node was in state \"wait call-back\""));
        Assert.That(node["reservation"]?.GetValue<string>(), Is.Null);
        Assert.That(Bmc.PowerOn, Is.False);
    }

    private async Task<(string Uuid, string Mac)> AvailableWithImageAsync(string name, string? checksum = null)
    {
        var sha = AddImage(name, RandomNumberGenerator.GetBytes(4096));
        var created = await Api.CreateNodeAsync(new JsonObject
        {
            ["driver"] = "ipmi", ["driver_info"] = Bmc.DriverInfo(), ["automated_clean"] = false,
            ["instance_info"] = new JsonObject { ["image_source"] = name, ["image_checksum"] = checksum ?? sha },
        });
        var uuid = created["uuid"]!.GetValue<string>();
        var mac = Macs.New();
        await Api.CreatePortAsync(uuid, mac);
        await Api.ProvisionAsync(uuid, "manage");
        await Api.ProvisionAsync(uuid, "provide");
        Assert.That(await StateOf(uuid), Is.EqualTo("available"), "automated_clean false: straight to available");
        return (uuid, mac);
    }
}
