using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using LanguageExt;
using Whereabouts.Core.Addresses;
using Whereabouts.Core.Config;
using Whereabouts.Core.Engine;

namespace Whereabouts.Core.Cni;

/// <summary>
/// The ADD result in the configuration's cniVersion: one address per range in order, then the static
/// addresses. 0.1.0/0.2.0 use ip4/ip6 objects; 0.3.x/0.4.0 list "ips" with a "version" each; 1.x drop it.
/// The configured gateway goes only on addresses of its own family.
/// </summary>
public static class ResultRenderer
{
    sealed record IpEntry(Cidr Address, Option<Address> Gateway);

    public static string Render(CniVersion version, ImmutableArray<Lease> leases, IpamSettings settings)
    {
        var ips = leases.Map(l => new IpEntry(new Cidr(l.Address, l.Range.Prefix), settings.Gateway.Filter(g => g.Family == l.Address.Family)))
            .AddRange(settings.Addresses.Map(a => new IpEntry(a.Address, a.Gateway)));
        return Json(w =>
        {
            w.WriteString("cniVersion", version.ToString());
            if (version < CniVersion.V030) WriteLegacy(w, ips, settings.Routes);
            else WriteCurrent(w, version, ips, settings.Routes);
            WriteDns(w, settings.Dns);
        });
    }

    public static string RenderVersions(CniVersion version) => Json(w =>
    {
        w.WriteString("cniVersion", version.ToString());
        w.WriteStartArray("supportedVersions");
        foreach (var v in CniVersion.Supported) w.WriteStringValue(v.ToString());
        w.WriteEndArray();
    });

    static void WriteCurrent(Utf8JsonWriter w, CniVersion version, ImmutableArray<IpEntry> ips, ImmutableArray<Route> routes)
    {
        w.WriteStartArray("ips");
        foreach (var ip in ips)
        {
            w.WriteStartObject();
            if (version < CniVersion.V100) w.WriteString("version", ip.Address.Family == IpFamily.V4 ? "4" : "6");
            w.WriteString("address", ip.Address.ToString());
            ip.Gateway.IfSome(g => w.WriteString("gateway", g.ToString()));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteRoutes(w, routes);
    }

    static void WriteLegacy(Utf8JsonWriter w, ImmutableArray<IpEntry> ips, ImmutableArray<Route> routes)
    {
        foreach (var family in new[] { IpFamily.V4, IpFamily.V6 })
            ips.Find(ip => ip.Address.Family == family).IfSome(ip =>
            {
                w.WriteStartObject(family == IpFamily.V4 ? "ip4" : "ip6");
                w.WriteString("ip", ip.Address.ToString());
                ip.Gateway.IfSome(g => w.WriteString("gateway", g.ToString()));
                WriteRoutes(w, routes.Filter(r => r.Destination.Family == family));
                w.WriteEndObject();
            });
    }

    static void WriteRoutes(Utf8JsonWriter w, ImmutableArray<Route> routes)
    {
        if (routes.IsEmpty) return;
        w.WriteStartArray("routes");
        foreach (var r in routes)
        {
            w.WriteStartObject();
            w.WriteString("dst", r.Destination.ToString());
            r.Gateway.IfSome(g => w.WriteString("gw", g.ToString()));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static void WriteDns(Utf8JsonWriter w, Dns dns)
    {
        w.WriteStartObject("dns");
        WriteList(w, "nameservers", dns.Nameservers);
        if (dns.Domain.Length > 0) w.WriteString("domain", dns.Domain);
        WriteList(w, "search", dns.Search);
        WriteList(w, "options", dns.Options);
        w.WriteEndObject();
    }

    static void WriteList(Utf8JsonWriter w, string name, ImmutableArray<string> items)
    {
        if (items.IsEmpty) return;
        w.WriteStartArray(name);
        foreach (var i in items) w.WriteStringValue(i);
        w.WriteEndArray();
    }

    static string Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonEscaping.Indented))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
