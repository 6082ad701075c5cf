using Whereabouts.Stores.Tls;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Whereabouts.Stores.Etcd;

/// <summary>How a failed exchange or an HTTP answer other than 200 becomes a store failure.</summary>
public sealed partial class EtcdClient
{
    /// <summary>A failed exchange (no HTTP answer) as a store failure; only a TLS failure is permanent.</summary>
    StoreUnavailableException Translate(Uri endpoint, string path, TimeSpan timeout, Exception e)
    {
        if (e is OperationCanceledException)
            return new StoreUnavailableException(
                $"etcd at {Show(endpoint)} did not answer {path} within {timeout.TotalSeconds:0.#}s", transient: true, e);
        if (IsTls(e))
            return new StoreUnavailableException(
                $"TLS with etcd at {Show(endpoint)} failed: {Innermost(e).Message}; check that etcd_ca_cert_file is the CA that signed the server's certificate, "
                + $"that the certificate names the host in etcd_host, and that etcd_cert_file/etcd_key_file hold a client certificate etcd trusts"
                + (endpoint.Scheme == "https" && options.CaCertFile.Length == 0 ? " (no etcd_ca_cert_file is set: the system CAs were used)" : ""),
                transient: false, e);
        // A closed connection may be etcd going down mid-request (transient), or etcd serving TLS on that port.
        var hint = endpoint.Scheme == "http" && e is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }
            ? " (if etcd serves TLS on that port, write https:// in etcd_host and set etcd_ca_cert_file)" : "";
        return new StoreUnavailableException($"etcd at {Show(endpoint)} failed during {path}: {Innermost(e).Message}{hint}", transient: true, e);
    }

    static bool IsTls(Exception e) =>
        e is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError }
        // After a TLS 1.3 handshake the server's verdict on our certificate comes as an alert on the first read.
        || Chain(e).Any(x => x is AuthenticationException or CryptographicException);

    /// <summary>An HTTP answer other than 200, classified by status and the gateway's gRPC code.</summary>
    StoreUnavailableException Failure(string path, Reply reply)
    {
        var where = $"etcd at {Show(reply.Endpoint)}";
        if (reply.Message.Contains("user name is empty", StringComparison.Ordinal) || reply.Message.Contains("invalid auth token", StringComparison.Ordinal))
            return new StoreUnavailableException(
                options.Username.Length == 0
                    ? $"{where} requires authentication ({reply.Message}): set etcd_username and etcd_password"
                    : $"{where} did not accept the token of user \"{options.Username}\" ({reply.Message}): check etcd_username and etcd_password",
                transient: false);
        // etcd's --max-request-bytes (1.5 MiB by default): only a pool grows, and it cannot be stored any larger.
        if (reply.Message.Contains("etcdserver: request is too large", StringComparison.Ordinal))
            return StoreUnavailableException.PoolTooLarge($"the pool written to {where}", reply.Describe());
        if (reply.Status == HttpStatusCode.Forbidden || reply.GrpcCode == 7)
            return new StoreUnavailableException(
                $"{where} denied {path} ({reply.Message}): give user \"{(options.Username.Length > 0 ? options.Username : "(certificate CN)")}\" "
                + $"a role with readwrite on the prefix {EtcdPoolStore.Root} (etcdctl role grant-permission <role> --prefix=true readwrite {EtcdPoolStore.Root})",
                transient: false);
        if ((int)reply.Status >= 500 || reply.Status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
            || reply.GrpcCode is 4 or 8 or 10 or 14)
            return new StoreUnavailableException($"{where} could not serve {path} now: {reply.Describe()}", transient: true);
        if (reply.Status == HttpStatusCode.NotFound)
            return new StoreUnavailableException(
                $"{where} does not serve the etcd v3 JSON gateway at /v3/{path} ({reply.Describe()}): etcd 3.4 or later is needed, with its gRPC gateway enabled (the default); check etcd_host",
                transient: false);
        if (reply.Message.Contains("HTTP request to an HTTPS server", StringComparison.Ordinal))
            return new StoreUnavailableException(
                $"{where} expects TLS: write the endpoint as https://… in etcd_host, or set etcd_ca_cert_file", transient: false);
        return new StoreUnavailableException($"{where} refused {path}: {reply.Describe()}", transient: false);
    }

    static TRes Decode<TRes>(string path, Reply reply, JsonTypeInfo<TRes> info) where TRes : class
    {
        try
        {
            return JsonSerializer.Deserialize(reply.Body, info) ?? throw new JsonException("empty answer");
        }
        catch (JsonException e)
        {
            throw new StoreUnavailableException(
                $"etcd at {Show(reply.Endpoint)} answered {path} with something that is not etcd's JSON ({e.Message}); check etcd_host", transient: false, e);
        }
    }
}
