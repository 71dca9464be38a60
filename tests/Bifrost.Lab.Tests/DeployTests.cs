using System.Diagnostics;
using System.Security.Cryptography;

namespace Bifrost.Lab.Tests;

/// <summary>
/// The end-to-end centerpiece on the virtual rack (one QEMU VM behind an ipmi_sim BMC, the real
/// <c>bifrost serve</c>, the real deploy ramdisk and agent), driven with the real <c>baremetal</c> CLI: enroll →
/// manage → inspect → provide (metadata clean) → a wrong checksum fails → a deploy interrupted by kill -9 of Bifrost
/// → a fresh deploy to active, the disk boots and prints its marker, the history tells the story → undeploy →
/// a qcow2 of the same image deploys too. The steps share one VM and run in order; each names what it needs.
/// </summary>
[Category("EndToEnd")]
[TestFixture]
public class DeployTests
{
    private const string Node = "node-1";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10); // TCG on a shared 2-core machine
    private const int FillByte = 0xA5;

    private TempDirectory _dir = null!;
    private VirtualRack _rack = null!;
    private RackCli _cli = null!;
    private RackNode _vm = null!;
    private string _uuid = "";
    private string _image = "";

    [OneTimeSetUp]
    public async Task UpAsync()
    {
        _dir = new TempDirectory("bifrost-rack");
        _rack = await VirtualRack.UpAsync(Path.Combine(_dir.Path, "lab"), vms: 1, ramdisk: Ramdisk.Directory(), settings: new Dictionary<string, string>
        {
            ["Conductor:CheckProvisionStateInterval"] = "5",
            ["Agent:HeartbeatInterval"] = "2",
        });
        _cli = new RackCli(_rack);
        _vm = _rack.Node(Node);
    }

    [OneTimeTearDown]
    public async Task DownAsync()
    {
        if (_rack is not null) await _rack.DisposeAsync();
        _dir?.Dispose();
    }

    [Test, Order(1)]
    public async Task Enroll_with_driver_ipmi_and_the_VM_port_then_manage()
    {
        _uuid = (await _cli.OkAsync(["node", "create", "--driver", "ipmi", "--name", Node, .. _vm.DriverInfoArgs(),
            "--property", "capabilities=boot_mode:bios", "-f", "value", "-c", "uuid"])).Trim();
        await _cli.OkAsync("port", "create", _vm.Mac, "--node", _uuid);
        await _cli.OkAsync("node", "manage", Node, "--wait", "120");

        var node = await _cli.ShowAsync(Node);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("manageable"));
        Assert.That(node["power_state"]!.GetValue<string>(), Is.EqualTo("power off"), "read from the BMC: the VM is off");
    }

    [Test, Order(2)]
    public async Task Inspect_reports_the_VM_cpus_memory_and_disk_and_its_port()
    {
        RequireState("manageable");
        await _cli.OkAsync("node", "inspect", Node, "--wait", Seconds(StepTimeout));

        var node = await _cli.ShowAsync(Node);
        var properties = node["properties"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("manageable"));
            Assert.That(Int(properties["cpus"]), Is.EqualTo(_vm.Cpus), "cpus = QEMU -smp");
            Assert.That(properties["cpu_arch"]?.ToString(), Is.EqualTo("x86_64"));
            // The kernel keeps some memory for itself; the agent reports what the VM has, not less than 90%.
            Assert.That(Int(properties["memory_mb"]), Is.InRange(_vm.MemoryMb * 9 / 10, _vm.MemoryMb), "memory_mb ≈ QEMU -m");
            Assert.That(Int(properties["local_gb"]), Is.EqualTo((int)(new FileInfo(_vm.Disk).Length >> 30) - 1),
                "local_gb = the disk file's GiB - 1 (as Ironic)");
            Assert.That(properties["capabilities"]?.ToString(), Does.Contain("boot_mode:bios"));
        });
        var ports = (await _cli.OkAsync("port", "list", "--node", Node, "--fields", "address", "-f", "value"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(ports, Is.EqualTo(new[] { _vm.Mac }), "the inventory's one NIC is the enrolled port");
        Assert.That(await LabScriptTests.Eventually(() => !_vm.PoweredOn), Is.True, "powered off after inspection");
    }

    [Test, Order(3)]
    public async Task Provide_cleans_the_metadata_at_both_ends_of_the_disk()
    {
        RequireState("manageable");
        Assert.That(_vm.PoweredOn, Is.False, "the VM is off: its disk file can be written from here");
        Fill(_vm.Disk, head: true, FillByte);
        Fill(_vm.Disk, head: false, FillByte);

        await _cli.OkAsync("node", "provide", Node, "--wait", Seconds(StepTimeout));

        Assert.That(await _cli.StateAsync(Node), Is.EqualTo("available"));
        Assert.That(await LabScriptTests.Eventually(() => !_vm.PoweredOn), Is.True, "powered off after cleaning");
        Assert.Multiple(() =>
        {
            Assert.That(ReadMiB(_vm.Disk, head: true).All(b => b == 0), Is.True, "first MiB zeroed");
            Assert.That(ReadMiB(_vm.Disk, head: false).All(b => b == 0), Is.True, "last MiB zeroed");
        });
    }

    [Test, Order(4)]
    public async Task Wrong_checksum_fails_the_deploy_naming_the_checksum()
    {
        RequireState("available");
        _image = Path.Combine(_rack.StateDir, "images", $"marker-{_uuid}.img");
        Directory.CreateDirectory(Path.GetDirectoryName(_image)!);
        await VirtualRack.MarkerImageAsync(_uuid, _image, mib: 4);
        var wrong = Convert.ToHexStringLower(SHA256.HashData("not the image"u8));
        await SetImageAsync(Path.GetFileName(_image), wrong);

        var deploy = await _cli.RunAsync("node", "deploy", Node, "--wait", Seconds(StepTimeout));

        Assert.That(deploy.ExitCode, Is.Not.EqualTo(0), "deploy --wait reports the failure");
        var node = await _cli.ShowAsync(Node);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]?.ToString(), Does.Contain(wrong).And.Contain(RackCli.Sha256(_image)).And.Contain("sha256"),
            "last_error names the algorithm, the expected and the actual checksum");
    }

    [Test, Order(5)]
    public async Task Kill_9_of_Bifrost_mid_deploy_leaves_a_failed_unlocked_node_that_deploys_afresh()
    {
        RequireState("deploy failed");
        await SetImageAsync(Path.GetFileName(_image), RackCli.Sha256(_image));
        await _cli.OkAsync("node", "deploy", Node);
        await _cli.WaitForAsync(Node, n => n["provision_state"]?.ToString() == "wait call-back", StepTimeout, "wait call-back");

        await _rack.KillBifrostAsync();
        await _rack.StartBifrostAsync();

        // The failure powers the node off in the background under the node's lock; then nothing may stay locked.
        var node = await _cli.WaitForAsync(Node, n => n["provision_state"]?.ToString() == "deploy failed" && n["reservation"] is null,
            TimeSpan.FromMinutes(2), "deploy failed with no reservation after the restart");
        Assert.That(node["last_error"]?.ToString(), Does.Contain("restarted"));
        Assert.That(await LabScriptTests.Eventually(() => !_vm.PoweredOn), Is.True, "the failed node was powered off");

        await DeployAndBootMarkerAsync("raw");

        var history = await _cli.HistoryAsync(Node);
        // The story of the fresh deploy: from its "… → deploying (target active) on deploy" on.
        var fresh = history.FindLastIndex(e => e.Type == "provisioning" && RackCli.Says("→ deploying .* on deploy$")(e));
        Assert.That(fresh, Is.GreaterThanOrEqualTo(0), "the deploy is in the history");
        RackCli.AssertInOrder(history.Skip(Math.Max(0, fresh)).ToList(),
            ("DHCP", RackCli.Type("dhcp")),
            ("TFTP or HTTP boot", e => e.Type is "tftp" or "boot"),
            ("agent lookup", RackCli.Says("lookup")),
            ("heartbeat", RackCli.Says("heartbeat")),
            ("image written", RackCli.Says("image written")),
            ("reboot", RackCli.Says("reboot")),
            ("active", e => e.Type == "provisioning" && RackCli.Says("→ active")(e)),
            ("the deployed node boots its local disk", e => e.Type == "boot" && RackCli.Says("local disk")(e)));
    }

    [Test, Order(6)]
    public async Task Undeploy_cleans_and_returns_the_node_to_available()
    {
        RequireState("active");
        await _cli.OkAsync("node", "undeploy", Node, "--wait", Seconds(StepTimeout));
        Assert.That(await _cli.StateAsync(Node), Is.EqualTo("available"));
        Assert.That(ReadMiB(_vm.Disk, head: true).All(b => b == 0), Is.True, "the marker's boot sector was erased");
    }

    [Test, Order(7)]
    public async Task A_qcow2_of_the_same_image_deploys_too()
    {
        RequireState("available");
        var qcow2 = Path.ChangeExtension(_image, ".qcow2");
        var img = await RunAsync(TimeSpan.FromMinutes(2), Peers.Require("qemu-img", "qemu-utils"),
            "convert", "-f", "raw", "-O", "qcow2", _image, qcow2);
        Assert.That(img.ExitCode, Is.EqualTo(0), img.Output);
        await SetImageAsync(Path.GetFileName(qcow2), RackCli.Sha256(qcow2));

        await DeployAndBootMarkerAsync("qcow2");
    }

    /// <summary>deploy --wait → active, then the VM reboots into its disk, which prints the marker (again).</summary>
    private async Task DeployAndBootMarkerAsync(string what)
    {
        var marker = $"BIFROST-MARKER {_uuid}";
        var before = Count(_vm.Serial(), marker);
        await _cli.OkAsync("node", "deploy", Node, "--wait", Seconds(StepTimeout));
        Assert.That(await _cli.StateAsync(Node), Is.EqualTo("active"), $"{what} image deployed");

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (Count(_vm.Serial(), marker) <= before && DateTime.UtcNow < deadline) await Task.Delay(1000);
        Assert.That(Count(_vm.Serial(), marker), Is.GreaterThan(before),
            $"the {what} image booted from disk and printed '{marker}'\n{_rack.Diagnostics()}");
        Assert.That(_vm.Serial(), Does.Contain("Bifrost: boot local disk").Or.Contain("sanboot").IgnoreCase.Or.Contain("local disk"),
            "the planner sent the active node to its disk");
    }

    private async Task SetImageAsync(string source, string sha256) =>
        await _cli.OkAsync("node", "set", Node, "--instance-info", $"image_source={source}",
            "--instance-info", $"image_checksum={sha256}");

    private void RequireState(string state)
    {
        var actual = _cli.StateAsync(Node).GetAwaiter().GetResult();
        if (actual != state) Assert.Fail($"this step starts from '{state}', the node is '{actual}' (an earlier step failed)");
    }

    private static void Fill(string disk, bool head, int value)
    {
        using var f = new FileStream(disk, FileMode.Open, FileAccess.Write);
        f.Position = head ? 0 : f.Length - (1 << 20);
        f.Write(Enumerable.Repeat((byte)value, 1 << 20).ToArray());
    }

    private static byte[] ReadMiB(string disk, bool head)
    {
        using var f = new FileStream(disk, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Position = head ? 0 : f.Length - (1 << 20);
        var buffer = new byte[1 << 20];
        f.ReadExactly(buffer);
        return buffer;
    }

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }

    private static int Int(JsonNode? n) => n is null ? -1 : int.Parse(n.ToString(), System.Globalization.CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan t) => ((int)t.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<CommandResult> RunAsync(TimeSpan timeout, string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await p.WaitForExitAsync(cts.Token);
        return new CommandResult(p.ExitCode, await stdout, await stderr);
    }
}
