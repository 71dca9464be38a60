using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Bifrost.TestKit;

/// <summary>
/// A real BMC for tests: OpenIPMI's <c>ipmi_sim</c> (Debian package openipmi) on a loopback UDP port, started with
/// <c>ipmi_sim -n -c lan.conf -f bmc.emu -s STATEDIR</c> in a temp directory of its own. Its chassis is a shell script
/// that keeps the power state in the file <see cref="PowerFile"/> ("0"/"1"), the boot device ipmi_sim forwards
/// ("pxe", "default" = disk, "cdrom", "bios") in <see cref="BootFile"/>, and appends every call ("set power 1",
/// "set reset 1", "set shutdown 1", "set boot pxe", …) to <see cref="CallLog"/> — so tests check what reached the BMC
/// without asking the BMC.
/// <para>Users (all cipher suites ipmi_sim has: 0-3, 6-11; never 17): <see cref="AdminUser"/> (ADMINISTRATOR),
/// <see cref="OperatorUser"/> (OPERATOR: may control power), <see cref="ViewerUser"/> (USER: Chassis Control → cc 0xd4).
/// Quirks (LAB.md): sessions idle out after 30 s, 63 per channel; suite 0 is accepted with any password; parameter 5
/// keeps only the device selector (the valid/persistent/EFI bits read back as 0).</para>
/// <para><see cref="Stop"/> kills the simulator (a dead BMC, port closed); <see cref="Start"/> brings it back on the
/// same address and port with the same state. <see cref="Ipmitool"/> runs the real ipmitool against it. Dispose kills
/// the process and removes the directory.</para>
/// </summary>
public sealed class IpmiSim : IDisposable
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "password";
    public const string OperatorUser = "operator";
    public const string OperatorPassword = "oppass";
    public const string ViewerUser = "viewer";
    public const string ViewerPassword = "viewpass";

    private readonly TempDirectory _dir;
    private readonly string _simPath;
    private Process? _process;

    private IpmiSim(string simPath, string address, int port)
    {
        _simPath = simPath;
        Address = address;
        Port = port;
        _dir = new TempDirectory($"bifrost-ipmisim-{port}");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "state"));
        File.WriteAllText(PowerFile, "0\n");
        var script = Path.Combine(_dir.Path, "chassis.sh");
        File.WriteAllText(script, ChassisScript);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_dir.Path, "lan.conf"), LanConf(address, port, script, _dir.Path));
        File.WriteAllText(Path.Combine(_dir.Path, "bmc.emu"),
            "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n");
    }

    public string Address { get; }
    public int Port { get; }
    public string StateDirectory => _dir.Path;
    public string PowerFile => Path.Combine(_dir.Path, "power");
    public string BootFile => Path.Combine(_dir.Path, "boot");
    public string CallLog => Path.Combine(_dir.Path, "calls.log");
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Power state as the chassis script keeps it, read from the file (not from the BMC).</summary>
    public bool PowerOn
    {
        get => File.Exists(PowerFile) && File.ReadAllText(PowerFile).Trim() == "1";
        set => File.WriteAllText(PowerFile, value ? "1\n" : "0\n");
    }

    /// <summary>The boot device ipmi_sim last forwarded ("pxe", "default", "cdrom", "bios"), or null.</summary>
    public string? BootDevice => File.Exists(BootFile) ? File.ReadAllText(BootFile).Trim() : null;

    /// <summary>Lines the chassis script was called with, oldest first.</summary>
    public IReadOnlyList<string> Calls => File.Exists(CallLog) ? File.ReadAllLines(CallLog) : [];

    /// <summary>Starts a simulator on <paramref name="address"/> (any 127.x works) and a free UDP port.</summary>
    public static IpmiSim Start(string address = "127.0.0.1")
    {
        var sim = Peers.Require("ipmi_sim", "openipmi");
        var bmc = new IpmiSim(sim, address, Net.FreeUdpPort(address));
        bmc.Start();
        return bmc;
    }

    /// <summary>(Re)starts the simulator process and waits until it answers an ASF presence ping.</summary>
    public void Start()
    {
        if (IsRunning) return;
        var psi = new ProcessStartInfo(_simPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        foreach (var a in new[] { "-n", "-c", "lan.conf", "-f", "bmc.emu", "-s", "state" }) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ipmi_sim");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!Pings())
        {
            if (_process.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException($"ipmi_sim on {Address}:{Port} did not come up (exit {(_process.HasExited ? _process.ExitCode : -1)})");
        }
    }

    /// <summary>Kills the simulator: from now on nothing answers on its port.</summary>
    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        _process = null;
    }

    /// <summary>driver_info for a node whose BMC is this simulator.</summary>
    public JsonObject DriverInfo(string user = AdminUser, string password = AdminPassword, int? cipherSuite = null, string? privilege = null)
    {
        var info = new JsonObject
        {
            ["ipmi_address"] = Address,
            ["ipmi_port"] = Port,
            ["ipmi_username"] = user,
            ["ipmi_password"] = password,
        };
        if (cipherSuite is { } suite) info["ipmi_cipher_suite"] = suite;
        if (privilege is not null) info["ipmi_priv_level"] = privilege;
        return info;
    }

    /// <summary>Runs <c>ipmitool -I lanplus -C 3 -H address -p port -U admin -P password ARGS</c> (always -C 3:
    /// without it ipmitool waits seconds for the cipher-suite query ipmi_sim ignores).</summary>
    public (int ExitCode, string Output) Ipmitool(params string[] args)
    {
        var tool = Peers.Require("ipmitool", "ipmitool");
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-I", "lanplus", "-C", "3", "-H", Address, "-p", Port.ToString(), "-U", AdminUser, "-P", AdminPassword })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) p.Kill();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        Stop();
        _dir.Dispose();
    }

    private bool Pings()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveTimeout = 100;
        // ASF presence ping (RMCP class 6, IANA 4542, type 0x80).
        byte[] ping = [0x06, 0x00, 0xFF, 0x06, 0x00, 0x00, 0x11, 0xBE, 0x80, 0x01, 0x00, 0x00];
        try
        {
            s.SendTo(ping, new IPEndPoint(IPAddress.Parse(Address), Port));
            var buffer = new byte[128];
            return s.Receive(buffer) > 0;
        }
        catch (SocketException)
        {
            Thread.Sleep(20);
            return false;
        }
    }

    private static string LanConf(string address, int port, string script, string dir) => new StringBuilder()
        .Append("name \"bmc").Append(port).Append("\"\n")
        .Append("set_working_mc 0x20\n")
        .Append("  startlan 1\n")
        .Append("    addr ").Append(address).Append(' ').Append(port).Append('\n')
        .Append("    priv_limit admin\n")
        .Append("    allowed_auths_callback md5 straight\n")
        .Append("    allowed_auths_user md5 straight\n")
        .Append("    allowed_auths_operator md5 straight\n")
        .Append("    allowed_auths_admin md5 straight\n")
        .Append("    guid 00000000000000000000000000000001\n")
        .Append("  endlan\n")
        .Append("  chassis_control \"").Append(script).Append(' ').Append(dir).Append("\"\n")
        .Append("  user 2 true \"").Append(AdminUser).Append("\" \"").Append(AdminPassword).Append("\" admin 10 md5 straight\n")
        .Append("  user 3 true \"").Append(OperatorUser).Append("\" \"").Append(OperatorPassword).Append("\" operator 10 md5 straight\n")
        .Append("  user 4 true \"").Append(ViewerUser).Append("\" \"").Append(ViewerPassword).Append("\" user 10 md5 straight\n")
        .ToString();

    // ipmi_sim runs "SCRIPT DIR get power boot …" (prints name:value lines) and "SCRIPT DIR set power 1 …".
    private const string ChassisScript = """
        #!/bin/sh
        # Chassis of a test BMC: state in files next to this script (power: 0/1, boot: pxe/default/cdrom/bios).
        dir=$1; shift
        echo "$*" >> "$dir/calls.log"
        cmd=$1; shift
        case "$cmd" in
          get) for v in "$@"; do
                 [ "$v" = power ] && echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)"
                 [ "$v" = boot ] && echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)"
               done ;;
          set) while [ $# -gt 1 ]; do
                 case "$1" in
                   power) echo "$2" > "$dir/power" ;;
                   shutdown) [ "$2" = 1 ] && echo 0 > "$dir/power" ;;
                   boot) echo "$2" > "$dir/boot" ;;
                 esac
                 shift 2
               done ;;
        esac
        exit 0

        """;
}
