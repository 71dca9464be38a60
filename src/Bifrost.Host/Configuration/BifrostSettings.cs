using System.Globalization;
using System.Net;
using Bifrost.Api;
using Bifrost.Bmc.Ipmi;
using Bifrost.Domain.Agent;
using Bifrost.Domain.Boot;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Drivers.Fake;
using Bifrost.Servers.Dhcp;
using Bifrost.Servers.HttpBoot;
using Bifrost.Servers.Images;
using Bifrost.Protocols.Tftp;
using Bifrost.Servers.Tftp;
using Microsoft.Extensions.Configuration;
using Serilog.Events;

namespace Bifrost.Host.Configuration;

/// <summary>
/// Every setting Bifrost reads, from the <c>Bifrost</c> section of appsettings.json overridden by environment
/// variables <c>Bifrost__Section__Key</c>. Read by hand, key by key, so a bad value is reported with its key and an
/// unknown key (a typo) is an error rather than a silently ignored setting.
/// </summary>
public sealed class BifrostSettings
{
    public required string StateDir { get; init; }
    public required IPEndPoint ApiEndpoint { get; init; }
    public required ApiOptions Api { get; init; }
    public required ConductorOptions Conductor { get; init; }
    public required FakeOptions Fake { get; init; }
    public required IpmiClientOptions Ipmi { get; init; }
    /// <summary>HTTP boot (<c>Bifrost:Boot:*</c>); <c>Boot.Listen</c> null = off.</summary>
    public required HttpBootOptions Boot { get; init; }
    public required int MaxHistoryPerNode { get; init; }
    public required LogEventLevel LogLevel { get; init; }
    public string? LogFile { get; init; }
    public DhcpServerOptions Dhcp { get; init; } = new();
    /// <summary>Answer IPv6 router solicitations on the DHCP interface (lifetime 0) so iPXE stops waiting for IPv6.</summary>
    public bool RouterAdvertisement { get; init; }
    /// <summary>The TFTP server, or null when <c>Bifrost:Tftp:Listen</c> is empty (off).</summary>
    public TftpServerOptions? Tftp { get; init; }
    /// <summary>Instance images (<c>Bifrost:Images:*</c>): download cache and retries.</summary>
    public ImageOptions Images { get; init; } = new() { ImagesDir = "./var/images" };
    /// <summary>The deploy agent (<c>Bifrost:Agent:*</c>).</summary>
    public AgentOptions Agent { get; init; } = new();

    public string DatabasePath => Path.Combine(StateDir, "bifrost.db");

    private static readonly HashSet<string> KnownKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "StateDir",
        "Api:Listen", "Api:MaxLimit", "Api:Auth", "Api:UsersFile", "Api:AllowInsecureNoAuth",
        "Conductor:Host", "Conductor:DeployCallbackTimeout", "Conductor:CleanCallbackTimeout",
        "Conductor:InspectWaitTimeout", "Conductor:CheckProvisionStateInterval", "Conductor:AutomatedClean",
        "Conductor:PowerStateChangeTimeout", "Conductor:SyncPowerStateInterval", "Conductor:PowerStateSyncMaxRetries",
        "Conductor:PowerFailureRecoveryInterval", "Conductor:SyncPowerStateWorkers", "Conductor:PowerStatePollInterval",
        "Conductor:DefaultBootMode",
        "Fake:PowerDelay", "Fake:BootDelay", "Fake:DeployDelay", "Fake:CleanDelay", "Fake:InspectDelay",
        "Fake:ManagementDelay",
        "Store:MaxHistoryPerNode",
        "Ipmi:AllowInsecureCipherSuites", "Ipmi:CommandTimeout", "Ipmi:RetryBudget", "Ipmi:MinCommandInterval",
        "Ipmi:MaxConcurrentSessions", "Ipmi:CipherDiscoveryTimeout", "Ipmi:SessionIdleLimit",
        "Boot:Listen", "Boot:Discovery", "Boot:KernelArgs", "Boot:RamdiskKernel", "Boot:RamdiskInitrd", "Boot:ApiUrl", "Boot:Sendfile",
        "Logging:Level", "Logging:File",
        "Dhcp:Mode", "Dhcp:Interface", "Dhcp:Subnet", "Dhcp:RangeStart", "Dhcp:RangeEnd", "Dhcp:Router", "Dhcp:Dns",
        "Dhcp:Domain", "Dhcp:LeaseTime", "Dhcp:ServeUnknown", "Dhcp:UefiBootFile", "Dhcp:Arm64BootFile",
        "Dhcp:Advertise", "Dhcp:BootPort", "Dhcp:BootUrl", "Dhcp:TftpServer", "Dhcp:RouterAdvertisement",
        "Tftp:Listen", "Tftp:Timeout", "Tftp:MaxRetries",
        "Images:DownloadStallTimeout", "Images:DownloadRetries", "Images:CacheSizeMb", "Images:CacheTtl",
        "Agent:HeartbeatInterval", "Agent:PowerOffOnFailure", "Agent:CleanMethod", "Agent:ImageServerUrl",
    };

    /// <summary>Reads and checks the settings; throws <see cref="ConfigError"/> naming the first bad key.</summary>
    public static BifrostSettings Load(IConfiguration configuration)
    {
        var section = configuration.GetSection("Bifrost");
        foreach (var entry in section.AsEnumerable(makePathsRelative: true))
        {
            if (entry.Value is null) continue; // a section, not a key
            if (!KnownKeys.Contains(entry.Key)) throw new ConfigError($"unknown configuration key Bifrost:{entry.Key}");
        }

        var r = new Reader(section);
        var stateDir = r.String("StateDir", "./var");
        if (string.IsNullOrWhiteSpace(stateDir)) throw new ConfigError("Bifrost:StateDir must not be empty");

        var listen = r.String("Api:Listen", "127.0.0.1:6385");
        if (!IPEndPoint.TryParse(listen, out var endpoint) || endpoint.Port == 0 || !listen.Contains(':', StringComparison.Ordinal))
            throw new ConfigError($"Bifrost:Api:Listen = '{listen}' is not an address:port (e.g. 127.0.0.1:6385)");

        var boot = ReadBoot(r, Path.GetFullPath(stateDir), endpoint);
        var tftp = ReadTftp(r, Path.GetFullPath(stateDir));
        var api = new ApiOptions
        {
            Listen = listen,
            MaxLimit = r.Int("Api:MaxLimit", 1000, min: 1),
            Auth = AuthSettings.Mode(r.String("Api:Auth", "none")),
            UsersFile = AuthSettings.UsersFile(r.String("Api:UsersFile", ""), Path.GetFullPath(stateDir)),
        };
        AuthSettings.CheckExposure(api.Auth, endpoint, r.Bool("Api:AllowInsecureNoAuth", false));

        var dhcpRead = DhcpSettings.Read(section);
        return new BifrostSettings
        {
            StateDir = Path.GetFullPath(stateDir),
            ApiEndpoint = endpoint,
            Api = api,
            Conductor = new ConductorOptions
            {
                Host = r.String("Conductor:Host", Environment.MachineName),
                DeployCallbackTimeout = r.Seconds("Conductor:DeployCallbackTimeout", 1800),
                CleanCallbackTimeout = r.Seconds("Conductor:CleanCallbackTimeout", 1800),
                InspectWaitTimeout = r.Seconds("Conductor:InspectWaitTimeout", 1800),
                CheckProvisionStateInterval = r.Seconds("Conductor:CheckProvisionStateInterval", 60, positive: true),
                AutomatedClean = r.Bool("Conductor:AutomatedClean", true),
                PowerStateChangeTimeout = r.Seconds("Conductor:PowerStateChangeTimeout", 60, positive: true),
                SyncPowerStateInterval = r.Seconds("Conductor:SyncPowerStateInterval", 60),
                PowerStateSyncMaxRetries = r.Int("Conductor:PowerStateSyncMaxRetries", 3, min: 1),
                PowerFailureRecoveryInterval = r.Seconds("Conductor:PowerFailureRecoveryInterval", 300),
                SyncPowerStateWorkers = r.Int("Conductor:SyncPowerStateWorkers", 16, min: 1),
                PowerStatePollInterval = r.Seconds("Conductor:PowerStatePollInterval", 1, positive: true),
                DefaultBootMode = r.Choice("Conductor:DefaultBootMode", "uefi", ["uefi", "bios"]),
            },
            Fake = new FakeOptions
            {
                PowerDelay = r.Seconds("Fake:PowerDelay", 0),
                BootDelay = r.Seconds("Fake:BootDelay", 0),
                DeployDelay = r.Seconds("Fake:DeployDelay", 0),
                CleanDelay = r.Seconds("Fake:CleanDelay", 0),
                InspectDelay = r.Seconds("Fake:InspectDelay", 0),
                ManagementDelay = r.Seconds("Fake:ManagementDelay", 0),
            },
            Ipmi = new IpmiClientOptions
            {
                AllowInsecureCipherSuites = r.Bool("Ipmi:AllowInsecureCipherSuites", false),
                CommandTimeout = r.Seconds("Ipmi:CommandTimeout", 1, positive: true),
                RetryBudget = r.Seconds("Ipmi:RetryBudget", 6, positive: true),
                MinCommandInterval = r.Seconds("Ipmi:MinCommandInterval", 0.02),
                MaxConcurrentSessions = r.Int("Ipmi:MaxConcurrentSessions", 64, min: 1),
                CipherDiscoveryTimeout = r.Seconds("Ipmi:CipherDiscoveryTimeout", 0.5, positive: true),
                SessionIdleLimit = r.Seconds("Ipmi:SessionIdleLimit", 20, positive: true),
            },
            Boot = boot,
            MaxHistoryPerNode = r.Int("Store:MaxHistoryPerNode", 500, min: 10),
            LogLevel = r.Level("Logging:Level", LogEventLevel.Information),
            LogFile = r.String("Logging:File", "") is { Length: > 0 } file ? Path.GetFullPath(file) : null,
            // Default on in full mode (Bifrost owns the boot segment); off in proxy mode, where the site may run its
            // own IPv6 routers and Bifrost is a guest.
            RouterAdvertisement = dhcpRead.Mode != DhcpMode.Off && r.Bool("Dhcp:RouterAdvertisement", dhcpRead.Mode == DhcpMode.Full),
            Dhcp = dhcpRead is var dhcp && section["Dhcp:BootPort"] is null && boot.Listen is { } bootListen
                ? dhcp with { BootPort = bootListen.Port } // iPXE is sent to the HTTP boot server's own port
                : dhcp,
            Tftp = tftp,
            Images = new ImageOptions
            {
                ImagesDir = Path.Combine(Path.GetFullPath(stateDir), "images"),
                DownloadStallTimeout = r.Seconds("Images:DownloadStallTimeout", 60, positive: true),
                DownloadRetries = r.Int("Images:DownloadRetries", 4, min: 0),
                CacheMaxBytes = r.Int("Images:CacheSizeMb", 20480, min: 0) * 1024L * 1024,
                CacheTtl = r.Seconds("Images:CacheTtl", TimeSpan.FromDays(7).TotalSeconds),
            },
            Agent = ReadAgent(r, boot),
        };
    }

    private static HttpBootOptions ReadBoot(Reader r, string stateDir, IPEndPoint api)
    {
        var listen = r.String("Boot:Listen", "");
        IPEndPoint? endpoint = null;
        if (listen.Length > 0)
        {
            if (!IPEndPoint.TryParse(listen, out endpoint) || endpoint.Port == 0 || !listen.Contains(':', StringComparison.Ordinal))
                throw new ConfigError($"Bifrost:Boot:Listen = '{listen}' is not an address:port (e.g. 0.0.0.0:8080), or empty for off");
            if (endpoint.Port == api.Port)
                throw new ConfigError($"Bifrost:Boot:Listen = '{listen}' uses the API's port {api.Port}: the boot server needs its own port");
        }
        var apiUrl = r.String("Boot:ApiUrl", "");
        if (apiUrl.Length > 0 && (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new ConfigError($"Bifrost:Boot:ApiUrl = '{apiUrl}' is not an http(s) URL");
        return new HttpBootOptions
        {
            Listen = endpoint,
            ImagesDir = Path.Combine(stateDir, "images"),
            RamdiskDir = Path.Combine(stateDir, "ramdisk"),
            TftpDir = Path.Combine(stateDir, "tftp"),
            ApiUrl = apiUrl.Length > 0 ? apiUrl : null,
            ApiPort = api.Port,
            Sendfile = r.Bool("Boot:Sendfile", true),
            Planner = new BootSettings
            {
                Discovery = r.Bool("Boot:Discovery", false),
                KernelArgs = r.String("Boot:KernelArgs", ""),
                RamdiskKernel = r.FileName("Boot:RamdiskKernel", "bifrost-agent.kernel"),
                RamdiskInitrd = r.FileName("Boot:RamdiskInitrd", "bifrost-agent.initramfs"),
            },
        };
    }

    private static AgentOptions ReadAgent(Reader r, HttpBootOptions boot)
    {
        var imageUrl = r.String("Agent:ImageServerUrl", "");
        if (imageUrl.Length > 0 && (!Uri.TryCreate(imageUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new ConfigError($"Bifrost:Agent:ImageServerUrl = '{imageUrl}' is not an http(s) URL");
        return new AgentOptions
        {
            HeartbeatInterval = r.Seconds("Agent:HeartbeatInterval", 5, positive: true),
            PowerOffOnFailure = r.Bool("Agent:PowerOffOnFailure", true),
            CleanMethod = r.Choice("Agent:CleanMethod", AgentOptions.CleanMetadata, [AgentOptions.CleanMetadata, AgentOptions.CleanFull]),
            ImageServerUrl = imageUrl.Length > 0 ? imageUrl.TrimEnd('/') : null,
            ImageServerPort = boot.Listen?.Port,
        };
    }

    /// <summary>Tftp:Listen is <c>address</c> (port 69) or <c>address:port</c>; empty turns the server off.</summary>
    private static TftpServerOptions? ReadTftp(Reader r, string stateDir)
    {
        var raw = r.String("Tftp:Listen", "").Trim();
        if (raw.Length == 0) return null;
        IPEndPoint? listen = IPAddress.TryParse(raw, out var address) && !raw.StartsWith('[') ? new IPEndPoint(address, 69)
            : IPEndPoint.TryParse(raw, out var endpoint) && endpoint.Port != 0 ? endpoint : null;
        if (listen is null)
            throw new ConfigError($"Bifrost:Tftp:Listen = '{raw}' is not an address or address:port (e.g. 10.0.0.1 or 127.0.0.1:6969; empty = off)");
        return new TftpServerOptions
        {
            Listen = listen,
            Root = Path.Combine(stateDir, "tftp"),
            Limits = new TftpLimits { DefaultTimeout = r.Seconds("Tftp:Timeout", 1, positive: true) },
            MaxRetries = r.Int("Tftp:MaxRetries", 5, min: 1),
        };
    }

    private sealed class Reader(IConfigurationSection section)
    {
        public string String(string key, string fallback) => section[key] ?? fallback;

        /// <summary>A plain file name (no directory part), e.g. a file in StateDir/ramdisk.</summary>
        public string FileName(string key, string fallback)
        {
            var v = String(key, fallback);
            if (v.Length == 0 || v.Contains('/', StringComparison.Ordinal) || v.Contains('\\', StringComparison.Ordinal) || v is "." or ".."
                || v.Any(char.IsControl) || v.Contains(' ', StringComparison.Ordinal))
                throw new ConfigError($"Bifrost:{key} = '{v}' must be a file name without directory or spaces");
            return v;
        }

        public int Int(string key, int fallback, int min)
        {
            var raw = section[key];
            if (raw is null) return fallback;
            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
                throw new ConfigError($"Bifrost:{key} = '{raw}' must be an integer of at least {min}");
            return v;
        }

        /// <summary>A duration in seconds (fractions allowed); zero disables a timeout where that makes sense.</summary>
        public TimeSpan Seconds(string key, double fallback, bool positive = false)
        {
            var raw = section[key];
            if (raw is null) return TimeSpan.FromSeconds(fallback);
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0
                || (positive && v == 0) || v > TimeSpan.MaxValue.TotalSeconds / 2)
                throw new ConfigError(
                    $"Bifrost:{key} = '{raw}' must be a number of seconds{(positive ? " greater than 0" : " (0 or more)")}");
            return TimeSpan.FromSeconds(v);
        }

        public string Choice(string key, string fallback, string[] allowed)
        {
            var raw = section[key];
            if (raw is null) return fallback;
            return allowed.Contains(raw, StringComparer.Ordinal)
                ? raw
                : throw new ConfigError($"Bifrost:{key} = '{raw}' must be one of: {string.Join(", ", allowed)}");
        }

        public bool Bool(string key, bool fallback)
        {
            var raw = section[key];
            if (raw is null) return fallback;
            return bool.TryParse(raw, out var v) ? v : throw new ConfigError($"Bifrost:{key} = '{raw}' must be true or false");
        }

        public LogEventLevel Level(string key, LogEventLevel fallback)
        {
            var raw = section[key];
            if (raw is null) return fallback;
            return Enum.TryParse<LogEventLevel>(raw, ignoreCase: true, out var v) && Enum.IsDefined(v)
                ? v
                : throw new ConfigError(
                    $"Bifrost:{key} = '{raw}' must be one of Verbose, Debug, Information, Warning, Error, Fatal");
        }
    }
}
