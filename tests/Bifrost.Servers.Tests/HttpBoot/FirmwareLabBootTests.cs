using Bifrost.Domain.Nodes;
using Bifrost.Domain.States;
using Bifrost.Store.Sqlite;
using Bifrost.TestKit;
using Microsoft.Data.Sqlite;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

/// <summary>
/// The issue's "firmware boots through Bifrost": QEMU nodes (TCG) on a namespace lab's bridge, with the real
/// <c>bifrost serve</c> as their only DHCP, TFTP and HTTP server. BIOS: QEMU's iPXE ROM → Bifrost DHCP (user class
/// iPXE → script URL) → <c>/boot/&lt;mac&gt;.ipxe</c>. UEFI native PXE (OVMF, <c>romfile=</c> empty): arch 7 →
/// Bifrost DHCP → TFTP of the EFI iPXE (size probe + ERROR 8, then the transfer) → iPXE → DHCP again → script.
/// The script comes from the real planner (the node waits in <c>wait call-back</c>); its ramdisk "kernel" is an iPXE
/// script that echoes a marker to the serial console and reboots (-no-reboot ends QEMU). See FirmwareBootTests.
/// </summary>
[Category("EndToEnd")]
[NonParallelizable]
public class FirmwareLabBootTests
{
    private const string Prefix = "10.79.0";
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5); // TCG, shared machine (LAB.md: 26-32 s quiet)

    private static IEnumerable<TestCaseData> Firmwares()
    {
        yield return new TestCaseData(QemuFirmware.Bios, "pcbios", BootModes.Bios, "ipxe.efi")
            .SetName("BIOS + QEMU iPXE ROM: Bifrost DHCP → /boot/<mac>.ipxe → ramdisk, marker on serial");
        yield return new TestCaseData(QemuFirmware.UefiNativePxe, "efi", BootModes.Uefi, "ipxe.efi")
            .SetName("OVMF native PXE: Bifrost DHCP → TFTP ipxe.efi → /boot/<mac>.ipxe → ramdisk, marker on serial");
        yield return new TestCaseData(QemuFirmware.UefiNativePxe, "efi", BootModes.Uefi, "snponly.efi")
            .SetName("OVMF native PXE: Bifrost DHCP → TFTP snponly.efi → /boot/<mac>.ipxe → ramdisk, marker on serial");
    }

    [TestCaseSource(nameof(Firmwares))]
    public async Task Firmware_boots_through_Bifrost(QemuFirmware firmware, string platform, string bootMode, string uefiFile)
    {
        await using var lab = await NetLab.CreateAsync(Prefix);
        using var dir = new TempDirectory("bifrost-fwlab");
        var state = Path.Combine(dir.Path, "state");
        var mac = $"52:54:00:c0:{Environment.ProcessId % 256:x2}:{(int)firmware + 1:x2}";
        var marker = $"BIFROST-MARKER-{Guid.NewGuid():N}"[..28];
        var node = await SeedAsync(state, mac, bootMode);
        Directory.CreateDirectory(Path.Combine(state, "ramdisk"));
        File.WriteAllText(Path.Combine(state, "ramdisk", "bifrost-agent.kernel"), FirmwareBootTests.MarkerKernel(marker));
        File.WriteAllText(Path.Combine(state, "ramdisk", "bifrost-agent.initramfs"), "not a real initramfs");

        await using var daemon = await LabDaemon.StartAsync(lab, state, new Dictionary<string, string>
        {
            ["Bifrost__Dhcp__Mode"] = "full",
            ["Bifrost__Dhcp__Interface"] = lab.Bridge,
            ["Bifrost__Dhcp__Subnet"] = $"{Prefix}.0/24",
            ["Bifrost__Dhcp__RangeStart"] = $"{Prefix}.100",
            ["Bifrost__Dhcp__RangeEnd"] = $"{Prefix}.199",
            ["Bifrost__Dhcp__Router"] = $"{Prefix}.1",
            ["Bifrost__Dhcp__UefiBootFile"] = uefiFile,
            ["Bifrost__Tftp__Listen"] = $"{Prefix}.1:69",
            ["Bifrost__Boot__Listen"] = $"{Prefix}.1:8080",
        });
        await WaitCallBackAsync(state, node);
        var tap = await lab.AddTapAsync();
        await using var vm = QemuVm.Start(Path.Combine(dir.Path, "vm"), mac, firmware, QemuNetwork.Tap(lab.Server, tap));

        try
        {
            await vm.WaitForSerialAsync($"{marker} platform={platform} mac={mac} end", BootTimeout);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Assert.Fail($"{e.Message}\n--- bifrost log ---\n{Tail(daemon.ReadLog(), 6000)}");
        }
        var serial = vm.Serial();
        Assert.That(serial, Does.Contain("Bifrost: deploy ramdisk (state wait call-back)"), "the planner's script ran");
        Assert.That(serial, Does.Contain($"http://{Prefix}.1:8080/boot/"), "iPXE was sent to the boot server by DHCP");
        if (firmware == QemuFirmware.UefiNativePxe)
            Assert.That(daemon.ReadLog(), Does.Contain(uefiFile), "the firmware fetched the EFI iPXE over TFTP");
        Assert.That(await vm.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.True, "the script's reboot ended the VM");

        await daemon.StopAsync(); // flushes the timeline
        var history = await HistoryAsync(state, node);
        Assert.That(history.Where(h => h.EventType == HistoryEventType.Dhcp), Is.Not.Empty, "DHCP hops in the node's history");
        Assert.That(history.Select(h => h.Event),
            Has.Some.StartsWith("GET /boot/").And.Contains("→ deploy ramdisk (state wait call-back)"));
        if (firmware == QemuFirmware.UefiNativePxe)
            Assert.That(history.Where(h => h.EventType == HistoryEventType.Tftp), Is.Not.Empty, "TFTP hops in the node's history");
    }

    private static async Task<Guid> SeedAsync(string state, string mac, string bootMode)
    {
        Directory.CreateDirectory(state);
        var path = Path.Combine(state, "bifrost.db");
        await SqliteMigrator.MigrateAsync(path);
        var store = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = path });
        var node = NodeBuilder.Fake($"vm-{mac.Replace(":", "", StringComparison.Ordinal)}");
        // Seeded at rest: start-up recovery fails nodes found in wait states (the agent's work cannot be trusted
        // across a restart), so the node enters wait call-back only once the daemon runs (WaitCallBackAsync).
        node.ProvisionState = ProvisionState.Available;
        node.Properties["capabilities"] = $"boot_mode:{bootMode}";
        await store.CreateNodeAsync(node);
        await store.CreatePortAsync(NodeBuilder.Port(node, mac));
        SqliteConnection.ClearAllPools(); // the daemon must own the file alone
        return node.Uuid;
    }

    /// <summary>Puts the node in wait call-back behind the running daemon's back, as a deploy would.</summary>
    private static async Task WaitCallBackAsync(string state, Guid uuid)
    {
        var store = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = Path.Combine(state, "bifrost.db") });
        var node = await store.GetNodeAsync(uuid) ?? throw new InvalidOperationException("seeded node is gone");
        node.ProvisionState = ProvisionState.DeployWait;
        node.TargetProvisionState = ProvisionState.Active;
        await store.SaveNodeAsync(node);
        SqliteConnection.ClearAllPools();
    }

    private static async Task<IReadOnlyList<NodeHistoryEvent>> HistoryAsync(string state, Guid node)
    {
        var store = new SqliteNodeStore(new SqliteStoreOptions { DatabasePath = Path.Combine(state, "bifrost.db") });
        var history = await store.ListHistoryAsync(node);
        SqliteConnection.ClearAllPools(); // the daemon must own the file alone
        return history;
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];
}
