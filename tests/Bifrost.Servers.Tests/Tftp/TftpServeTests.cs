using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>The real <c>bifrost serve</c> with <c>Bifrost__Tftp__Listen</c> set serves <c>StateDir/tftp</c>.</summary>
public class TftpServeTests
{
    [Test, Category("EndToEnd")]
    public async Task Bifrost_serve_with_tftp_listen_serves_statedir_tftp_to_curl()
    {
        using var dir = new TempDirectory("bifrost-tftp-serve");
        var port = Net.FreeUdpPort();
        Directory.CreateDirectory(Path.Combine(dir.Path, "tftp"));
        var content = new byte[70_000];
        new Random(7).NextBytes(content);
        await File.WriteAllBytesAsync(Path.Combine(dir.Path, "tftp", "ipxe.efi"), content);
        await using var bifrost = await BifrostProcess.StartAsync(dir.Path, new Dictionary<string, string>
        {
            ["Bifrost__Tftp__Listen"] = $"127.0.0.1:{port}",
        });
        var output = Path.Combine(dir.Path, "got.efi");
        var result = await Run.ProcessAsync(Peers.Require("curl", "curl"),
            ["-sS", "--tftp-blksize", "1468", "-o", output, $"tftp://127.0.0.1:{port}/ipxe.efi"]);
        Assert.That(result.ExitCode, Is.Zero, result + "\n" + bifrost.ReadLog());
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(content));
        Assert.That(bifrost.ReadLog(), Does.Contain($"TFTP listening on 127.0.0.1:{port}"));

        // The transfer moved the TFTP counters on /metrics (parsed strictly as Prometheus text).
        using var http = new HttpClient { BaseAddress = bifrost.BaseUri };
        var scrape = PrometheusScrape.Parse(await http.GetStringAsync("/metrics"));
        double Sum(string name) => scrape.Samples.Where(x => x.Name == name).Sum(x => x.Value);
        Assert.That(Sum("bifrost_tftp_transfers_total"), Is.GreaterThanOrEqualTo(1), "transfers counted");
        Assert.That(scrape.Samples.Where(x => x.Name.StartsWith("bifrost_tftp_bytes_sent", StringComparison.Ordinal)).Sum(x => x.Value),
            Is.GreaterThanOrEqualTo(content.Length), "bytes counted");
    }
}
