using System.Net;
using Bifrost.Domain.Store;
using Bifrost.Servers.Dhcp;
using Bifrost.TestKit;
using Bifrost.Store.Sqlite;
using NUnit.Framework;
using static Bifrost.Servers.Tests.Dhcp.Packets;

namespace Bifrost.Servers.Tests.Dhcp;

public class LeaseTableTests
{
    private static IPAddress Ip(string s) => IPAddress.Parse(s);

    [Test]
    public void An_expired_binding_is_only_taken_over_when_no_never_used_address_is_left()
    {
        var table = Pool(3);
        var changes = new List<DhcpLease>();
        table.Changed += changes.Add;
        Assert.That(table.Commit("a", table.Offer("a", null, Now)!, TimeSpan.FromMinutes(1), Now), Is.Not.Null);
        var later = Now.AddHours(1);
        Assert.That(table.Offer("b", null, later), Is.EqualTo(Ip("10.0.0.101")), "a's expired address is kept for a");
        Assert.That(table.Offer("c", null, later), Is.EqualTo(Ip("10.0.0.102")));
        Assert.That(table.Offer("d", null, later), Is.EqualTo(Ip("10.0.0.100")), "pool full: the expired binding goes");
        Assert.That(table.AddressOf("a"), Is.Null);
        Assert.That(changes.Select(c => c.Address), Is.EqualTo(new[] { "10.0.0.100" }), "offers are not persisted");
    }

    [Test]
    public void The_address_book_maps_a_leased_ip_to_its_mac()
    {
        var table = Pool();
        table.Commit(Mac, Ip("10.0.0.104"), TimeSpan.FromHours(1), Now);
        Assert.That(table.MacFor(Ip("10.0.0.104")), Is.EqualTo(Mac));
        Assert.That(table.MacFor(Ip("10.0.0.105")), Is.Null);
        Assert.That(table.ActiveCount(Now), Is.EqualTo(1));
    }

    [Test]
    public async Task Leases_written_to_the_sqlite_store_load_back_into_a_new_table()
    {
        await using var db = await TestStore.CreateAsync();
        var store = new SqliteLeaseStore(new SqliteStoreOptions { DatabasePath = db.DatabasePath });
        var table = Pool();
        var written = new List<DhcpLease>();
        table.Changed += written.Add;
        table.Commit(Mac, Ip("10.0.0.103"), TimeSpan.FromHours(1), Now, "node-1");
        table.Commit(Mac, Ip("10.0.0.104"), TimeSpan.FromHours(1), Now); // the MAC moves: its old row must go
        table.Decline(OtherMac, Ip("10.0.0.107"), Now);
        await store.SaveLeasesAsync(written);

        var rows = await store.ListLeasesAsync();
        Assert.That(rows.Select(r => (r.Address, r.Mac, r.Declined)),
            Is.EqualTo(new[] { ("10.0.0.104", Mac, false), ("10.0.0.107", "", true) }));
        Assert.That(rows[0].ExpiresAt, Is.EqualTo(Now.AddHours(1)));

        var restarted = Pool();
        restarted.Load(rows);
        Assert.That(restarted.Offer(Mac, null, Now), Is.EqualTo(Ip("10.0.0.104")));
        Assert.That(restarted.Commit(OtherMac, Ip("10.0.0.107"), TimeSpan.FromHours(1), Now), Is.Null, "still declined");
        Assert.That(restarted.Commit(OtherMac, Ip("10.0.0.107"), TimeSpan.FromHours(1), Now + LeaseTable.DeclineHold), Is.Not.Null);

        await store.DeleteLeaseAsync("10.0.0.104");
        Assert.That((await store.ListLeasesAsync()).Select(r => r.Address), Is.EqualTo(new[] { "10.0.0.107" }));
    }
}
