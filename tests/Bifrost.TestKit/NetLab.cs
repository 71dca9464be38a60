using System.Diagnostics;
using System.Globalization;
using System.Text;
using NUnit.Framework;

namespace Bifrost.TestKit;

/// <summary>A finished command: exit code and its output.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>
/// A private L2 network for DHCP/TFTP/PXE tests (LAB.md): a server namespace holding bridge <see cref="Bridge"/>
/// (<see cref="ServerAddress"/>/24, STP off, forward delay 0 — never in the root namespace, where br_netfilter would
/// filter it), client namespaces each joined to the bridge by a veth pair (the client end is <c>eth0</c>), and taps
/// on the bridge for QEMU (QEMU must run in <see cref="Server"/>: <c>ip netns exec SERVER qemu-system-x86_64 …</c>).
/// Names include the PID and a counter; <see cref="DisposeAsync"/> kills the processes it started and deletes every
/// namespace it made (which removes their interfaces), also after a failed test. Needs root.
/// </summary>
public sealed class NetLab : IAsyncDisposable
{
    private static int _counter;
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];
    private int _links;

    private NetLab(string id, string prefix)
    {
        Id = id;
        Prefix = prefix;
        Server = $"{id}-srv";
    }

    /// <summary>Unique per lab: "bf" + PID + counter.</summary>
    public string Id { get; }
    /// <summary>The first three octets of the lab subnet, e.g. "10.77.0".</summary>
    public string Prefix { get; }
    /// <summary>The server namespace (owns the bridge).</summary>
    public string Server { get; }
    public string Bridge => "br0";
    public string ServerAddress => $"{Prefix}.1";
    public string Subnet => $"{Prefix}.0/24";

    /// <summary>Makes the server namespace and its bridge. Ignores the test (with the reason) when not root.</summary>
    public static async Task<NetLab> CreateAsync(string prefix = "10.77.0")
    {
        if (!Peers.IsRoot) Assert.Ignore("network namespaces need root (CI runs as root)");
        Peers.Require("ip", "iproute2");
        var lab = new NetLab(
            string.Create(CultureInfo.InvariantCulture, $"bf{Environment.ProcessId}x{Interlocked.Increment(ref _counter)}"), prefix);
        try
        {
            await RunChecked("ip", "netns", "add", lab.Server);
            lab._namespaces.Add(lab.Server);
            await lab.InServer("ip", "link", "set", "lo", "up");
            await lab.InServer("ip", "link", "add", lab.Bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
            await lab.InServer("ip", "addr", "add", $"{lab.ServerAddress}/24", "dev", lab.Bridge);
            await lab.InServer("ip", "link", "set", lab.Bridge, "up");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client namespace joined to the bridge; its interface is <c>eth0</c>, with <paramref name="mac"/> when given
    /// and <paramref name="address"/> (CIDR) when given. Returns the namespace name.
    /// </summary>
    public async Task<string> AddClientAsync(string? mac = null, string? address = null)
    {
        var n = Interlocked.Increment(ref _links);
        var ns = $"{Id}-c{n}";
        await RunChecked("ip", "netns", "add", ns);
        _namespaces.Add(ns);
        await InServer("ip", "link", "add", $"v{n}", "type", "veth", "peer", "name", "eth0", "netns", ns);
        await InServer("ip", "link", "set", $"v{n}", "master", Bridge, "up");
        if (mac is not null) await In(ns, "ip", "link", "set", "eth0", "address", mac);
        if (address is not null) await In(ns, "ip", "addr", "add", address, "dev", "eth0");
        await In(ns, "ip", "link", "set", "lo", "up");
        await In(ns, "ip", "link", "set", "eth0", "up");
        return ns;
    }

    /// <summary>A tap on the bridge, in the server namespace, for <c>-netdev tap,ifname=NAME,script=no</c>.</summary>
    public async Task<string> AddTapAsync()
    {
        var name = $"tap{Interlocked.Increment(ref _links)}";
        await InServer("ip", "tuntap", "add", "dev", name, "mode", "tap");
        await InServer("ip", "link", "set", name, "master", Bridge, "up");
        return name;
    }

    /// <summary>Runs a command in namespace <paramref name="ns"/> and waits for it (killed after the timeout).</summary>
    public Task<CommandResult> ExecAsync(string ns, TimeSpan timeout, params string[] command) =>
        Run(timeout, ["ip", "netns", "exec", ns, .. command]);

    /// <summary>Starts a long-running command in <paramref name="ns"/>, output appended to <paramref name="logFile"/>;
    /// it is killed when the lab is disposed.</summary>
    public Process Start(string ns, string logFile, IDictionary<string, string>? environment = null, params string[] command)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["netns", "exec", ns, .. command]) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var log = new StreamWriter(logFile, append: true, Encoding.UTF8) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command[0]}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Dispose(); };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_processes) _processes.Add(process);
        return process;
    }

    /// <summary>Polls <paramref name="file"/> until it contains <paramref name="text"/>; throws with the file's content on timeout.</summary>
    public static async Task WaitForTextAsync(string file, string text, TimeSpan timeout, Process? process = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var content = ReadShared(file);
            if (content.Contains(text, StringComparison.Ordinal)) return;
            if (process is { HasExited: true })
                throw new InvalidOperationException($"process exited ({process.ExitCode}) before '{text}' appeared:\n{content}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"'{text}' did not appear in {file} within {timeout}:\n{ReadShared(file)}");
    }

    public static string ReadShared(string file)
    {
        if (!File.Exists(file)) return "";
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Stops one process started by <see cref="Start"/> (SIGTERM, then SIGKILL after 10 s).</summary>
    public static async Task StopAsync(Process process)
    {
        if (process.HasExited) return;
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Process> processes;
        lock (_processes) processes = [.. _processes];
        foreach (var p in processes)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
            }
            p.Dispose();
        }
        // Clients first: deleting a namespace destroys its end of each veth, and with it the peer on the bridge.
        for (var i = _namespaces.Count - 1; i >= 0; i--)
            await Run(TimeSpan.FromSeconds(20), ["ip", "netns", "del", _namespaces[i]]);
        _namespaces.Clear();
    }

    private Task InServer(params string[] command) => In(Server, command);

    private async Task In(string ns, params string[] command) => await RunChecked(["ip", "netns", "exec", ns, .. command]);

    private static async Task RunChecked(params string[] command)
    {
        var result = await Run(TimeSpan.FromSeconds(20), command);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"'{string.Join(' ', command)}' failed ({result.ExitCode}): {result.Output}");
    }

    /// <summary>Runs a command with captured output, killing its process tree after <paramref name="timeout"/>.</summary>
    internal static async Task<CommandResult> Run(TimeSpan timeout, string[] command)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
