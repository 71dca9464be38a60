using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Protocols.Ipmi.Commands;
using Bifrost.Protocols.Ipmi.Crypto;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bifrost.Bmc.Ipmi;

/// <summary>
/// Bifrost's own IPMI v2.0 RMCP+ client. Per BMC (address:port): one conversation at a time, at least
/// <see cref="IpmiClientOptions.MinCommandInterval"/> between commands, the cipher suite chosen once (17, else 3) and
/// remembered, and one session kept open and reused while the credentials, suite and privilege stay the same.
/// Globally, at most <see cref="IpmiClientOptions.MaxConcurrentSessions"/> conversations at once.
/// </summary>
public sealed partial class IpmiClient : IIpmiClient, IAsyncDisposable, IDisposable
{
    /// <summary>Suites Bifrost tries when nothing is forced, best first.</summary>
    private static readonly int[] PreferredSuites = [17, 3];

    private readonly IpmiClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<IPEndPoint, IBmcTransport> _transports;
    private readonly SemaphoreSlim _global;
    private readonly ConcurrentDictionary<(string Address, int Port), Bmc> _bmcs = new();
    private int _disposed;

    public IpmiClient(IpmiClientOptions options, TimeProvider time, ILoggerFactory? loggers = null,
        Func<IPEndPoint, IBmcTransport>? transports = null)
    {
        _options = options;
        _time = time;
        _log = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Bifrost.Bmc.Ipmi");
        _transports = transports ?? (endpoint => new UdpBmcTransport(endpoint));
        _global = new SemaphoreSlim(options.MaxConcurrentSessions, options.MaxConcurrentSessions);
    }

    /// <summary>Sessions opened so far (all BMCs): lets tests see that sessions are reused.</summary>
    public long SessionsOpened => Interlocked.Read(ref _sessionsOpened);
    private long _sessionsOpened;

    public Task VerifyAsync(IpmiTarget target, CancellationToken ct) =>
        RunAsync(target, "verify", async (session, deadline, token) =>
        {
            var r = await session.CommandAsync(NetFn.App, GetDeviceId.Command, [], "Get Device ID", deadline, token);
            Check(target, r, "Get Device ID");
            return true;
        }, ct);

    public Task<bool> GetPowerOnAsync(IpmiTarget target, CancellationToken ct) =>
        RunAsync(target, "chassis_status", async (session, deadline, token) =>
        {
            var r = await session.CommandAsync(NetFn.Chassis, GetChassisStatus.Command, [], "Get Chassis Status", deadline, token);
            Check(target, r, "Get Chassis Status");
            return GetChassisStatus.TryRead(r.Data, out var status, out var error)
                ? status.PowerOn
                : throw new IpmiException(IpmiErrorKind.Protocol, $"{target.Describe()}: {error}");
        }, ct);

    public Task ChassisControlAsync(IpmiTarget target, ChassisAction action, CancellationToken ct) =>
        RunAsync(target, "chassis_control", async (session, deadline, token) =>
        {
            var r = await session.CommandAsync(NetFn.Chassis, ChassisControl.Command, ChassisControl.Request((byte)action),
                $"Chassis Control {action}", deadline, token);
            Check(target, r, $"Chassis Control {action}");
            return true;
        }, ct);

    public Task<IpmiBootSetting?> GetBootDeviceAsync(IpmiTarget target, CancellationToken ct) =>
        RunAsync(target, "get_boot_options", async (session, deadline, token) =>
        {
            var r = await session.CommandAsync(NetFn.Chassis, GetSystemBootOptions.Command,
                GetSystemBootOptions.Request(BootFlags.Parameter), "Get System Boot Options", deadline, token);
            Check(target, r, "Get System Boot Options");
            if (!GetSystemBootOptions.TryRead(r.Data, out var options, out var error) || !BootFlags.TryRead(options.ParameterData, out var flags, out error))
                throw new IpmiException(IpmiErrorKind.Protocol, $"{target.Describe()}: {error}");
            return flags.Valid && BootDevices.FromSelector(flags.Device) is { } device
                ? new IpmiBootSetting(device, flags.Persistent, flags.Efi)
                : (IpmiBootSetting?)null;
        }, ct);

    public Task SetBootDeviceAsync(IpmiTarget target, IpmiBootSetting setting, CancellationToken ct) =>
        RunAsync(target, "set_boot_options", async (session, deadline, token) =>
        {
            // Parameter 3 first: otherwise the BMC drops the flags if no Chassis Control follows within 60 s.
            var clearing = await session.CommandAsync(NetFn.Chassis, SetSystemBootOptions.Command,
                SetSystemBootOptions.ValidBitClearing(), "Set System Boot Options (valid bit clearing)", deadline, token);
            Check(target, clearing, "Set System Boot Options parameter 3");
            var flags = new BootFlags(BootDevices.ToSelector(setting.Device), setting.Persistent, setting.Uefi);
            var r = await session.CommandAsync(NetFn.Chassis, SetSystemBootOptions.Command,
                SetSystemBootOptions.BootFlagsRequest(flags), "Set System Boot Options (boot flags)", deadline, token);
            Check(target, r, "Set System Boot Options parameter 5");
            return true;
        }, ct);

    private static void Check(IpmiTarget target, Protocols.Ipmi.Commands.IpmiResponse response, string what)
    {
        if (response.CompletionCode == CompletionCode.Ok) return;
        if (response.CompletionCode == CompletionCode.InsufficientPrivilege)
        {
            throw new IpmiException(IpmiErrorKind.InsufficientPrivilege,
                $"{target.Describe()}: {what} refused: insufficient privilege level (completion code 0xd4; ipmi_priv_level " +
                $"{target.Bmc.Privilege.ToString().ToUpperInvariant()})");
        }
        throw new IpmiException(IpmiErrorKind.CommandFailed,
            $"{target.Describe()}: {what} failed: {CompletionCode.Describe(response.CompletionCode)} (0x{response.CompletionCode:x2})");
    }

    /// <summary>Closes every open session (best effort, in parallel): BMCs have few session slots.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using var cts = new CancellationTokenSource(_options.CommandTimeout + TimeSpan.FromSeconds(1));
        await Task.WhenAll(_bmcs.Values.Select(async b =>
        {
            try
            {
                await b.CloseAsync("shutdown", cts.Token);
            }
            catch (OperationCanceledException)
            {
                // A conversation still running at shutdown: its session times out on the BMC.
            }
        }));
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static SessionCredentials Credentials(IpmiTarget target)
    {
        var user = Encoding.UTF8.GetBytes(target.Bmc.Username ?? "");
        var password = Encoding.UTF8.GetBytes(target.Bmc.Password ?? "");
        if (user.Length > 16)
            throw new IpmiException(IpmiErrorKind.UnknownUser, $"{target.Describe()}: ipmi_username is longer than IPMI's 16 bytes");
        if (password.Length > 20)
            throw new IpmiException(IpmiErrorKind.AuthenticationFailed, $"{target.Describe()}: ipmi_password is longer than IPMI's 20 bytes");
        return new SessionCredentials(user, IpmiCrypto.UserKey(password), (byte)target.Bmc.Privilege);
    }

    /// <summary>What a session is keyed by: reuse only while all of these stay the same. The password is kept as a
    /// hash, so a changed password opens a new session without the key holding the password.</summary>
    private static string SessionKey(IpmiTarget target, int suite) =>
        $"{target.Bmc.Username}\n{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(target.Bmc.Password ?? "")))}\n{suite}\n{target.Bmc.Privilege}";
}
