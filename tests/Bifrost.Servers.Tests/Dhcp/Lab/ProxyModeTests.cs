using System.Text.RegularExpressions;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Dhcp.Lab;

/// <summary>ProxyDHCP next to the real dnsmasq as the site's DHCP server, in a namespace lab.</summary>
[Category("EndToEnd")]
[NonParallelizable]
public class ProxyModeTests
{
    [Test]
    public async Task Next_to_dnsmasq_the_address_comes_from_dnsmasq_and_the_boot_file_from_bifrost()
    {
        var dnsmasq = Peers.Require("dnsmasq", "dnsmasq-base");
        var tshark = Peers.Require("tshark", "tshark");
        var dhclient = Peers.Require("dhclient", "isc-dhcp-client");
        await using var lab = await DhcpLab.CreateAsync("proxy");
        await lab.StartAsync();

        // The site's DHCP server: dnsmasq on its own host (namespace) on the same segment, addresses .50-.60.
        var site = await lab.Net.AddClientAsync(address: "10.77.0.2/24");
        var siteLog = Path.Combine(lab.Dir.Path, "dnsmasq.log");
        var dnsmasqProcess = lab.Net.Start(site, siteLog, null,
            dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root", "--interface=eth0", "--bind-interfaces",
            "--dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h", $"--dhcp-leasefile={Path.Combine(lab.Dir.Path, "dnsmasq.leases")}",
            $"--pid-file={Path.Combine(lab.Dir.Path, "dnsmasq.pid")}", "--log-dhcp", "--log-facility=-");
        await NetLab.WaitForTextAsync(siteLog, "DHCP, IP range", TimeSpan.FromSeconds(10), dnsmasqProcess);

        // A PXE client (x64 UEFI): capture what it receives while udhcpc plays its DISCOVER.
        var pxe = await lab.Net.AddClientAsync("52:54:00:dd:00:01");
        var capture = Path.Combine(lab.Dir.Path, "pxe.pcap");
        var captureLog = Path.Combine(lab.Dir.Path, "tshark.log");
        var tsharkProcess = lab.Net.Start(pxe, captureLog, null, tshark, "-i", "eth0", "-f", "udp port 68", "-w", capture);
        await NetLab.WaitForTextAsync(captureLog, "Capturing on", TimeSpan.FromSeconds(20), tsharkProcess);
        await lab.UdhcpcAsync(pxe, "pxe", "-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007", "-t", "1", "-T", "3");
        await Task.Delay(500);
        await NetLab.StopAsync(tsharkProcess);

        var read = await lab.Net.ExecAsync(pxe, TimeSpan.FromSeconds(30), tshark, "-r", capture, "-Y", "dhcp.option.dhcp == 2",
            "-T", "fields", "-E", "separator=|", "-e", "dhcp.option.dhcp_server_id", "-e", "dhcp.ip.your", "-e", "dhcp.file",
            "-e", "dhcp.option.vendor_class_id", "-e", "dhcp.ip.server");
        var offers = read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
        var fromSite = offers.FirstOrDefault(o => o[0] == "10.77.0.2");
        var fromBifrost = offers.FirstOrDefault(o => o[0] == "10.77.0.1");
        Assert.That(fromSite, Is.Not.Null, read.Output);
        Assert.That(fromBifrost, Is.Not.Null, read.Output);
        Assert.That(fromSite![1], Does.Match(@"^10\.77\.0\.(5\d|60)$"), "the address comes from dnsmasq");
        Assert.That(fromSite[2], Is.Empty, "dnsmasq names no boot file");
        Assert.That(fromBifrost![1], Is.EqualTo("0.0.0.0"), "ProxyDHCP gives no address");
        Assert.That(fromBifrost[2], Is.EqualTo("ipxe.efi"), "the boot file comes from Bifrost");
        Assert.That(fromBifrost[3], Is.EqualTo("PXEClient"));
        Assert.That(fromBifrost[4], Is.EqualTo("10.77.0.1"), "next-server");

        // A client that is not PXE gets nothing from Bifrost and its lease from dnsmasq.
        var plain = await lab.Net.AddClientAsync("52:54:00:dd:00:02");
        var lease = Path.Combine(lab.Dir.Path, "plain.leases");
        var result = await lab.Net.ExecAsync(plain, TimeSpan.FromSeconds(40),
            dhclient, "-4", "-1", "-v", "-sf", "/bin/true", "-lf", lease, "-pf", Path.Combine(lab.Dir.Path, "plain.pid"), "eth0");
        // dhclient -1 stays in the background once bound: stop it (-x) so nothing outlives the lab.
        await lab.Net.ExecAsync(plain, TimeSpan.FromSeconds(20),
            dhclient, "-x", "-sf", "/bin/true", "-lf", lease, "-pf", Path.Combine(lab.Dir.Path, "plain.pid"), "eth0");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Output);
        Assert.That(Regex.IsMatch(result.Output, @"DHCPACK of 10\.77\.0\.(5\d|60) from 10\.77\.0\.2"), result.Output);
        await lab.Daemon!.WaitForLogAsync("52:54:00:dd:00:02 xid");
        await lab.Daemon.WaitForLogAsync("not a PXE or HTTP boot client");
        await lab.Daemon.WaitForLogAsync("DISCOVER arch 7 vendor-class PXEClient:Arch:00007:UNDI:003016 → OFFER proxy boot ipxe.efi");
    }
}
