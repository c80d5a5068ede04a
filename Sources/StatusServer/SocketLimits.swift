import HummingbirdCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// How many sockets the status server keeps and for how long, so idle or slow clients cannot use up
/// the controller's open files (its git reads and database connections need them too) nor make
/// `/healthz` time out.
public struct SocketLimits: Sendable, Equatable {
    /// Connections waiting for a request (new ones, or kept alive between requests) kept at most: past
    /// this the one that has waited longest is closed, so a new client (a liveness probe) is served.
    public var maximumWaiting: Int
    /// A connection that sends no complete request head for this long is closed (before its first
    /// request or between two).
    public var idleTimeout: Duration
    /// A request not received in full (head, body, end) this long after its head began is closed.
    public var requestTimeout: Duration

    public init(maximumWaiting: Int = 256, idleTimeout: Duration = .seconds(15), requestTimeout: Duration = .seconds(15)) {
        self.maximumWaiting = maximumWaiting
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }
}

/// The connections waiting for a request, oldest first; the one past ``SocketLimits/maximumWaiting``
/// that has waited longest is closed.
final class WaitingConnections: Sendable {
    private struct State {
        var next = 0
        var waiting: [(id: Int, channel: any Channel)] = []
    }

    private let state = NIOLockedValueBox(State())
    let maximum: Int

    init(maximum: Int) { self.maximum = max(1, maximum) }

    /// Records `channel` as waiting; closes the longest-waiting connection beyond the maximum. Returns
    /// the ticket to pass to ``leave(_:)``.
    func wait(_ channel: any Channel) -> Int {
        let (id, evicted) = state.withLockedValue { state -> (Int, (any Channel)?) in
            state.next += 1
            state.waiting.append((state.next, channel))
            return (state.next, state.waiting.count > maximum ? state.waiting.removeFirst().channel : nil)
        }
        evicted?.close(promise: nil)
        return id
    }

    /// The connection stopped waiting: a request began, or it closed.
    func leave(_ id: Int) {
        state.withLockedValue { state in state.waiting.removeAll { $0.id == id } }
    }

    /// How many connections wait now.
    var count: Int { state.withLockedValue { $0.waiting.count } }
}

/// One per connection, after the HTTP decoder: the connection waits (``WaitingConnections``) until a
/// request head arrives and again once its request has been read; a request that is not read in full
/// within the request timeout closes the connection.
final class ConnectionWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let waiting: WaitingConnections
    private let requestTimeout: TimeAmount
    private var ticket: Int?
    private var requestTimer: Scheduled<Void>?

    init(waiting: WaitingConnections, requestTimeout: Duration) {
        self.waiting = waiting
        self.requestTimeout = TimeAmount(requestTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        ticket = waiting.wait(context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopWaiting()
        requestTimer?.cancel()
        requestTimer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopWaiting()
        requestTimer?.cancel()
        requestTimer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            stopWaiting()
            let channel = context.channel
            requestTimer = context.eventLoop.scheduleTask(in: requestTimeout) { channel.close(promise: nil) }
        case .body:
            break
        case .end:
            requestTimer?.cancel()
            requestTimer = nil
            if ticket == nil { ticket = waiting.wait(context.channel) }
        }
        context.fireChannelRead(data)
    }

    private func stopWaiting() {
        if let ticket { waiting.leave(ticket) }
        ticket = nil
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
