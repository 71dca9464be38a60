using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Bifrost.TestKit;

/// <summary>The firmware a <see cref="QemuVm"/> boots with.</summary>
public enum QemuFirmware
{
    /// <summary>SeaBIOS; the NIC's option ROM is QEMU's iPXE (pxe-virtio.rom).</summary>
    Bios,
    /// <summary>OVMF; the NIC's option ROM is QEMU's iPXE (efi-virtio.rom), which replaces OVMF's own PXE.</summary>
    UefiIpxeRom,
    /// <summary>OVMF with <c>romfile=</c> empty: the firmware's native UEFI PXE (arch 7, TFTP of the NBP).</summary>
    UefiNativePxe,
}

/// <summary>How a <see cref="QemuVm"/> is wired to the network.</summary>
public sealed record QemuNetwork
{
    /// <summary>A tap (already on a bridge) in namespace <see cref="Namespace"/>; QEMU runs in that namespace
    /// (LAB.md: QEMU must run where the tap is).</summary>
    public static QemuNetwork Tap(string @namespace, string tap) => new() { Namespace = @namespace, TapName = tap };

    /// <summary>QEMU's user-mode network (slirp): its own DHCP hands out <paramref name="bootFile"/>; the guest reaches
    /// the host's loopback as 10.0.2.2. No root, no namespace.</summary>
    public static QemuNetwork User(string bootFile) => new() { UserBootFile = bootFile };

    public string? Namespace { get; private init; }
    public string? TapName { get; private init; }
    public string? UserBootFile { get; private init; }
}

/// <summary>
/// A PXE-booting QEMU node under TCG (LAB.md: /dev/kvm does not work here), serial console to a file, no display. It is
/// killed (the whole process tree) on dispose, also after a failed test; <c>-no-reboot</c> turns a guest reboot into a
/// QEMU exit, so an iPXE script can end the VM with <c>reboot</c> (Debian's iPXE build has no <c>poweroff</c>).
/// </summary>
public sealed class QemuVm : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private QemuVm(Process process, StreamWriter log, string serialLog, string outputLog)
    {
        _process = process;
        _log = log;
        SerialLog = serialLog;
        OutputLog = outputLog;
    }

    /// <summary>The guest's serial console (firmware, iPXE and kernel output).</summary>
    public string SerialLog { get; }
    /// <summary>QEMU's own stdout/stderr.</summary>
    public string OutputLog { get; }
    public bool HasExited => _process.HasExited;
    public int Pid => _process.Id;

    public static QemuVm Start(string workDir, string mac, QemuFirmware firmware, QemuNetwork network, int memoryMb = 256)
    {
        var qemu = Peers.Require("qemu-system-x86_64", "qemu-system-x86");
        Directory.CreateDirectory(workDir);
        var stamp = DateTime.UtcNow.ToString("HHmmss.fff", CultureInfo.InvariantCulture);
        var serial = Path.Combine(workDir, $"qemu-{mac.Replace(":", "", StringComparison.Ordinal)}-{stamp}.serial");
        var output = Path.ChangeExtension(serial, ".out");

        var args = new List<string>
        {
            "-machine", "q35,accel=tcg", "-m", memoryMb.ToString(CultureInfo.InvariantCulture),
            "-nographic", "-display", "none", "-monitor", "none", "-no-reboot",
            "-serial", $"file:{serial}", "-boot", "n",
        };
        if (firmware != QemuFirmware.Bios)
        {
            const string ovmf = "/usr/share/qemu/OVMF.fd";
            if (!File.Exists(ovmf)) Peers.Require(ovmf, "ovmf");
            args.AddRange(["-bios", ovmf]);
        }
        if (network.TapName is { } tap)
            args.AddRange(["-netdev", $"tap,id=n0,ifname={tap},script=no,downscript=no"]);
        else
            args.AddRange(["-netdev", $"user,id=n0,bootfile={network.UserBootFile}"]);
        var nic = $"virtio-net-pci,netdev=n0,mac={mac},bootindex=1";
        if (firmware == QemuFirmware.UefiNativePxe) nic += ",romfile=";
        args.AddRange(["-device", nic]);

        var command = network.Namespace is { } ns ? ["ip", "netns", "exec", ns, qemu, .. args] : new List<string> { qemu }.Concat(args).ToList();
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        var log = new StreamWriter(output, append: true, Encoding.UTF8) { AutoFlush = true };
        log.WriteLine(string.Join(' ', command));
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start qemu-system-x86_64");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new QemuVm(process, log, serial, output);
    }

    /// <summary>The serial console so far, escape sequences and carriage returns removed.</summary>
    public string Serial()
    {
        if (!File.Exists(SerialLog)) return "";
        using var stream = new FileStream(SerialLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var text = new StreamReader(stream, Encoding.Latin1).ReadToEnd();
        return System.Text.RegularExpressions.Regex.Replace(text, @"\x1b\[[0-9;?]*[A-Za-z]|\r", "");
    }

    /// <summary>Waits for <paramref name="text"/> on the serial console; throws with the console and QEMU's output when
    /// it does not appear in time, or QEMU exits first.</summary>
    public async Task WaitForSerialAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Serial().Contains(text, StringComparison.Ordinal)) return;
            if (_process.HasExited)
            {
                await Task.Delay(200); // the last serial bytes
                if (Serial().Contains(text, StringComparison.Ordinal)) return;
                throw new InvalidOperationException($"QEMU exited ({_process.ExitCode}) before '{text}' appeared\n{Diagnostics()}");
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"'{text}' did not appear on the serial console within {timeout}\n{Diagnostics()}");
    }

    /// <summary>Waits for QEMU to exit by itself (the guest rebooted under -no-reboot, or powered off).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public string Diagnostics()
    {
        string output;
        lock (_log) output = File.Exists(OutputLog) ? ReadShared(OutputLog) : "";
        var serial = Serial();
        return $"--- serial ({SerialLog}), last 4000 chars ---\n{serial[Math.Max(0, serial.Length - 4000)..]}\n--- qemu output ---\n{output}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static string ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
