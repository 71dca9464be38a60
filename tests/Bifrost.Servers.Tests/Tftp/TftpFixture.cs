using System.Diagnostics;
using System.Net;
using Bifrost.Domain.Timeline;
using Bifrost.Servers.Tftp;
using Bifrost.TestKit;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>A TFTP server on 127.0.0.1 at a port the OS picks, serving a fresh temp root, with its log captured.</summary>
public sealed class TftpFixture : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("bifrost-tftp");

    private TftpFixture() { }

    public CapturingLoggerProvider Logs { get; } = new();
    public TftpServer Server { get; private set; } = null!;
    public string Root => Path.Combine(_dir.Path, "root");
    /// <summary>A directory outside the root for downloads and for files the server must never hand out.</summary>
    public string Outside => Path.Combine(_dir.Path, "outside");
    public IPEndPoint Endpoint => Server.LocalEndPoint;
    public int Port => Endpoint.Port;

    public static TftpFixture Start(BootTimeline? timeline = null, int maxRetries = 5, TimeSpan? timeout = null, int transferThreads = 1)
    {
        var f = new TftpFixture();
        Directory.CreateDirectory(f.Root);
        Directory.CreateDirectory(f.Outside);
        var options = new TftpServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Root = f.Root,
            MaxRetries = maxRetries,
            TransferThreads = transferThreads,
            Limits = new Protocols.Tftp.TftpLimits { DefaultTimeout = timeout ?? TimeSpan.FromSeconds(1) },
        };
        f.Server = new TftpServer(options, new TftpRootFiles(f.Root), f.Logs.CreateLogger("tftp"), timeline);
        f.Server.Start();
        return f;
    }

    /// <summary>A file of random bytes (seeded by its name) in the root; returns its content.</summary>
    public byte[] AddFile(string name, int length)
    {
        var bytes = new byte[length];
        new Random(name.GetHashCode(StringComparison.Ordinal)).NextBytes(bytes);
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    public string OutPath(string name) => Path.Combine(Outside, name);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

public sealed record ProcessResult(int ExitCode, string Output)
{
    public override string ToString() => $"exit {ExitCode}: {Output}";
}

public static class Run
{
    /// <summary>Runs a real client to completion (killed after <paramref name="timeout"/>), output merged.</summary>
    public static async Task<ProcessResult> ProcessAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new ProcessResult(-1, $"killed after timeout: {await stdout}{await stderr}");
        }
        return new ProcessResult(process.ExitCode, (await stdout) + (await stderr));
    }
}
