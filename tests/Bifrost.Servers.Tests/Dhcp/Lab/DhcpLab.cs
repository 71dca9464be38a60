using Bifrost.TestKit;

namespace Bifrost.Servers.Tests.Dhcp.Lab;

/// <summary>One namespace lab with the real daemon serving DHCP on its bridge, and helpers for the real clients.</summary>
internal sealed class DhcpLab : IAsyncDisposable
{
    public const string Prefix = "10.77.0";

    private DhcpLab(NetLab net, TempDirectory dir, Dictionary<string, string> env)
    {
        Net = net;
        Dir = dir;
        Environment = env;
    }

    public NetLab Net { get; }
    public TempDirectory Dir { get; }
    public string StateDir => Path.Combine(Dir.Path, "state");
    public Dictionary<string, string> Environment { get; }
    public LabDaemon? Daemon { get; private set; }

    public static async Task<DhcpLab> CreateAsync(string mode = "full", params (string Key, string Value)[] settings)
    {
        var net = await NetLab.CreateAsync(Prefix);
        var env = new Dictionary<string, string>
        {
            ["Bifrost__Dhcp__Mode"] = mode,
            ["Bifrost__Dhcp__Interface"] = net.Bridge,
            ["Bifrost__Dhcp__BootPort"] = "8080",
        };
        if (mode == "full")
        {
            env["Bifrost__Dhcp__Subnet"] = $"{Prefix}.0/24";
            env["Bifrost__Dhcp__RangeStart"] = $"{Prefix}.100";
            env["Bifrost__Dhcp__RangeEnd"] = $"{Prefix}.199";
            env["Bifrost__Dhcp__Router"] = $"{Prefix}.1";
            env["Bifrost__Dhcp__Dns"] = $"{Prefix}.1";
            env["Bifrost__Dhcp__Domain"] = "lab.test";
        }
        foreach (var (k, v) in settings) env[$"Bifrost__Dhcp__{k}"] = v;
        return new DhcpLab(net, new TempDirectory("bifrost-dhcplab"), env);
    }

    public async Task StartAsync() => Daemon = await LabDaemon.StartAsync(Net, StateDir, Environment);

    public async Task RestartAsync()
    {
        await Daemon!.StopAsync();
        await StartAsync();
    }

    /// <summary>A udhcpc script that appends "event ip=… boot_file=… siaddr=… vendor=…" to a log and returns the log path.</summary>
    public string UdhcpcScript(string name)
    {
        var log = Path.Combine(Dir.Path, $"{name}.events");
        var script = Path.Combine(Dir.Path, $"{name}.sh");
        File.WriteAllText(script,
            $"#!/bin/sh\necho \"$1 ip=$ip boot_file=$boot_file siaddr=$siaddr serverid=$serverid\" >> '{log}'\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    /// <summary>busybox udhcpc: one lease and quit (-q), fail if none (-n). Returns (exit code, events log).</summary>
    public async Task<(CommandResult Result, string Events)> UdhcpcAsync(string ns, string name, params string[] extra)
    {
        var busybox = Peers.Require("busybox", "busybox");
        var script = UdhcpcScript(name);
        var result = await Net.ExecAsync(ns, TimeSpan.FromSeconds(30),
            [busybox, "udhcpc", "-i", "eth0", "-f", "-q", "-n", "-t", "3", "-T", "2", "-s", script, .. extra]);
        return (result, NetLab.ReadShared(Path.Combine(Dir.Path, $"{name}.events")));
    }

    public async ValueTask DisposeAsync()
    {
        if (Daemon is not null) await Daemon.DisposeAsync();
        await Net.DisposeAsync();
        Dir.Dispose();
    }
}
