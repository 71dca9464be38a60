using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Bifrost.TestKit;

/// <summary>One node of a <see cref="VirtualRack"/>, as <c>lab.sh</c> recorded it in <c>nodes/NAME/node.env</c>.</summary>
public sealed record RackNode(
    string Name, string Kind, string Mac, string BmcAddress, int BmcPort, string BmcUser, string BmcPassword,
    int Cpus, int MemoryMb, string Disk, string SerialLog, string Directory)
{
    /// <summary>A node with a QEMU VM behind its BMC (a ghost's BMC only keeps a power-state file).</summary>
    public bool IsVm => Kind == "vm";

    /// <summary>The serial console so far (appended across power cycles), escape sequences and CRs removed.</summary>
    public string Serial()
    {
        var text = VirtualRack.ReadShared(SerialLog, Encoding.Latin1);
        return Regex.Replace(text, @"\x1b\[[0-9;?]*[A-Za-z]|\r", "");
    }

    /// <summary>Whether the VM's QEMU runs (the recorded PID is alive), or the ghost's power file says on.</summary>
    public bool PoweredOn
    {
        get
        {
            if (!IsVm) return File.Exists(Path.Combine(Directory, "power")) && File.ReadAllText(Path.Combine(Directory, "power")).Trim() == "1";
            var pidFile = Path.Combine(Directory, "qemu.pid");
            if (!File.Exists(pidFile)) return false;
            var pid = File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return pid is not null && System.IO.Directory.Exists($"/proc/{pid}");
        }
    }

    /// <summary>What the BMC's chassis was asked ("get power", "set power 1", "set boot pxe", …), oldest first.</summary>
    public IReadOnlyList<string> ChassisCalls()
    {
        var log = Path.Combine(Directory, "calls.log");
        return File.Exists(log) ? VirtualRack.ReadShared(log, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    /// <summary>driver_info arguments for <c>baremetal node create</c>.</summary>
    public string[] DriverInfoArgs() =>
    [
        "--driver-info", $"ipmi_address={BmcAddress}", "--driver-info", $"ipmi_port={BmcPort}",
        "--driver-info", $"ipmi_username={BmcUser}", "--driver-info", $"ipmi_password={BmcPassword}",
    ];

    /// <summary>Waits for <paramref name="text"/> on the serial console; throws with its tail on timeout.</summary>
    public async Task WaitForSerialAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Serial().Contains(text, StringComparison.Ordinal)) return;
            await Task.Delay(500);
        }
        throw new TimeoutException($"'{text}' did not appear on {Name}'s serial console within {timeout}\n{VirtualRack.Tail(Serial(), 3000)}");
    }
}

/// <summary>
/// The virtual rack of <c>packaging/lab/lab.sh</c> — the very script a newcomer runs — driven from tests: <c>up</c>
/// makes a network namespace with a bridge, an ipmi_sim BMC per node whose chassis starts and stops a QEMU VM, and the
/// real <c>bifrost serve</c> (this build's bifrost.dll) inside the namespace; <see cref="DisposeAsync"/> is
/// <c>lab.sh down</c>, which stops exactly what <c>up</c> started and deletes the namespace, also after a failed test.
/// The API is reachable only inside the namespace: <see cref="Cli"/> is the real <c>baremetal</c> CLI run there.
/// Needs root (ignored with the reason otherwise).
/// </summary>
public sealed class VirtualRack : IAsyncDisposable
{
    private VirtualRack(string directory, string ns, string prefix, IReadOnlyList<RackNode> nodes)
    {
        Directory = directory;
        Namespace = ns;
        Prefix = prefix;
        Nodes = nodes;
        Cli = new BaremetalCli(new Uri("http://127.0.0.1:6385"), directory, ["ip", "netns", "exec", ns]);
    }

    public static string Script => Path.Combine(Repo.Root, "packaging", "lab", "lab.sh");

    /// <summary>The lab directory (lab.env, bifrost.log, state/, nodes/NAME/).</summary>
    public string Directory { get; }
    public string Namespace { get; }
    /// <summary>First three octets of the lab subnet; the server (Bifrost) is PREFIX.1.</summary>
    public string Prefix { get; }
    public IReadOnlyList<RackNode> Nodes { get; }
    public BaremetalCli Cli { get; }
    public string StateDir => Path.Combine(Directory, "state");
    public string BifrostLog => Path.Combine(Directory, "bifrost.log");

    public RackNode Node(string name) => Nodes.Single(n => n.Name == name);

    /// <summary>
    /// <c>lab.sh up --no-enroll</c> in <paramref name="directory"/> (which must not hold a running lab) with
    /// <paramref name="vms"/> VM nodes (node-1…) and <paramref name="ghosts"/> ghost nodes (ghost-1…);
    /// <paramref name="ramdisk"/> is a directory with (or to build) the deploy ramdisk; <paramref name="settings"/>
    /// are Bifrost settings as <c>Section:Key</c> → value.
    /// </summary>
    public static async Task<VirtualRack> UpAsync(
        string directory, int vms = 1, int ghosts = 0, string? ramdisk = null,
        IReadOnlyDictionary<string, string>? settings = null, bool enroll = false)
    {
        if (!Peers.IsRoot) Assert.Ignore("the virtual rack needs root (network namespaces, taps; CI runs as root)");
        foreach (var (cmd, pkg) in new[]
                 {
                     ("ip", "iproute2"), ("qemu-system-x86_64", "qemu-system-x86"), ("ipmi_sim", "openipmi"),
                     ("ipmitool", "ipmitool"), ("baremetal", "python3-ironicclient"), ("curl", "curl"),
                 })
            Peers.Require(cmd, pkg);

        List<string> args =
        [
            "up", "--nodes", vms.ToString(CultureInfo.InvariantCulture), "--ghosts", ghosts.ToString(CultureInfo.InvariantCulture),
            "--bifrost", $"dotnet {BifrostProcess.DllPath}",
            "--ramdisk", ramdisk ?? Path.Combine(directory, "no-ramdisk"),
        ];
        if (!enroll) args.Add("--no-enroll");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) args.AddRange(["--set", $"{key}={value}"]);

        var up = await RunAsync(directory, TimeSpan.FromMinutes(15), [.. args]);
        if (up.ExitCode != 0)
        {
            // up cleans up after itself on failure; make sure, then report what it said.
            await RunAsync(directory, TimeSpan.FromMinutes(1), "down");
            throw new InvalidOperationException($"lab.sh up failed ({up.ExitCode}):\n{up.Output}");
        }
        var env = ReadEnv(Path.Combine(directory, "lab.env"));
        var nodes = System.IO.Directory.GetDirectories(Path.Combine(directory, "nodes"))
            .Select(d => ToNode(ReadEnv(Path.Combine(d, "node.env")), d))
            .OrderBy(n => n.Kind, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
        return new VirtualRack(directory, env["NS"], env["PREFIX"], nodes);
    }

    /// <summary>Runs <c>lab.sh --dir DIRECTORY ARGS</c>.</summary>
    public Task<CommandResult> LabAsync(params string[] args) => RunAsync(Directory, TimeSpan.FromMinutes(5), args);

    /// <summary><c>lab.sh bifrost kill</c>: SIGKILL, as a crash.</summary>
    public async Task KillBifrostAsync() => Check(await LabAsync("bifrost", "kill"));

    /// <summary><c>lab.sh bifrost start</c>: same settings, same state directory; returns once the API answers.</summary>
    public async Task StartBifrostAsync() => Check(await LabAsync("bifrost", "start"));

    /// <summary><c>lab.sh bifrost stop</c>: SIGTERM, waits for a clean exit (flushes the boot timeline).</summary>
    public async Task StopBifrostAsync() => Check(await LabAsync("bifrost", "stop"));

    /// <summary>A bootable raw image that prints <c>BIFROST-MARKER <paramref name="uuid"/></c> on COM1 (lab.sh marker-image).</summary>
    public static async Task MarkerImageAsync(string uuid, string output, int mib = 4) =>
        Check(await RunAsync(Path.GetDirectoryName(output)!, TimeSpan.FromMinutes(1), "marker-image", uuid, output,
            mib.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Runs a command inside the lab's namespace.</summary>
    public Task<CommandResult> ExecAsync(TimeSpan timeout, params string[] command) =>
        NetLab.Run(timeout, ["ip", "netns", "exec", Namespace, .. command]);

    /// <summary>The tail of Bifrost's log and of every VM's serial console, for failure messages.</summary>
    public string Diagnostics()
    {
        var sb = new StringBuilder();
        sb.Append("--- bifrost.log (tail) ---\n").Append(Tail(ReadShared(BifrostLog, Encoding.UTF8), 6000)).Append('\n');
        foreach (var n in Nodes.Where(n => n.IsVm))
            sb.Append("--- ").Append(n.Name).Append(" serial (tail) ---\n").Append(Tail(n.Serial(), 3000)).Append('\n');
        return sb.ToString();
    }

    /// <summary><c>lab.sh down</c>.</summary>
    public async ValueTask DisposeAsync()
    {
        var down = await RunAsync(Directory, TimeSpan.FromMinutes(2), "down");
        if (down.ExitCode != 0) TestContext.Progress.WriteLine($"lab.sh down failed ({down.ExitCode}): {down.Output}");
    }

    public static bool NamespaceExists(string ns) =>
        File.Exists(Path.Combine("/run/netns", ns));

    internal static string ReadShared(string file, Encoding encoding)
    {
        if (!File.Exists(file)) return "";
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream, encoding).ReadToEnd();
    }

    internal static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];

    private static void Check(CommandResult result)
    {
        if (result.ExitCode != 0) throw new InvalidOperationException($"lab.sh failed ({result.ExitCode}):\n{result.Output}");
    }

    private static RackNode ToNode(Dictionary<string, string> env, string dir) => new(
        env["NAME"], env["KIND"], env["MAC"], env["BMC_ADDRESS"], int.Parse(env["BMC_PORT"], CultureInfo.InvariantCulture),
        env["BMC_USER"], env["BMC_PASSWORD"], int.Parse(env["CPUS"], CultureInfo.InvariantCulture),
        int.Parse(env["MEMORY_MB"], CultureInfo.InvariantCulture), env["DISK"], env["SERIAL"], dir);

    private static Dictionary<string, string> ReadEnv(string file) =>
        File.ReadAllLines(file).Where(l => l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    private static Task<CommandResult> RunAsync(string directory, TimeSpan timeout, params string[] args) =>
        NetLab.Run(timeout, ["bash", Script, "--dir", directory, .. args]);
}
