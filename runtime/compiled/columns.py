"""The numbers the kernels and the host share: fixed columns of every instance row, state and
action codes, scalar slots and counters. Plain Python (no numba), so the host and the code
generator can use them without importing numba; ``kernel_lib`` re-exports them to kernels.
"""

# ---------------------------------------------------------------- fixed columns
# An instance's row is split by how often it is touched. ``I`` and ``F`` hold what routing and
# the run loop read at every event (these first columns, one cache line, then the machine's own:
# slots, inbox lists, step counters, arguments); ``C`` and ``FC`` hold what only parking,
# errors, compensation and the end read. Instances are reached in random order, so each cache
# line an event touches is a likely miss.

# I (int64), hot
MACH = 0          # machine index
STATE = 1         # thread state (T_*)
STATUS = 2        # instance status (ST_*)
PC = 3
KEY = 4           # the key: an int, an interned string id, or 0/1
WF = 5            # workflow name id (routing lanes are (WF, KEY))
TSEQ = 6          # the sequence of the instance's live timer (ties of equal deadlines), -1 for none
TKIND = 7         # TK_WAIT or TK_BACKOFF
NFIX_I = 8

# F (float64), hot
DEADLINE = 0      # the live timer's deadline
NFIX_F = 1

# C (int64), cold
START = 0         # start order: input event ordinal * starters + starter index (with calls: a count)
ATTEMPT = 1       # attempts made by the current do (or compensation)
PARK = 2          # why the instance waits for the host (P_*)
ACTION = 3        # what the host decided (A_*)
ERRK = 4          # the error being raised, or that escaped: kind, message, type (string ids;
ERRM = 5          # a negative message -(pc + 2) is the fail at pc, rendered by the host)
ERRT = 6
UNDO = 7          # the newest compensation (an arena row), -1 for none
UNDO_FAILED = 8
DEFH = 9          # events deferred while parked (a list in the deferred arena)
DEFT = 10
ENDPC = 11        # the complete or raising pc the instance ended at
RES = 12          # a host result (int, bool, string id)
VAL = 13          # the completed value (int, bool, string id)
# Threads (machines with parallel/race, see kernel_threads.py): a thread is a row of its own,
# sharing its instance row's slots; the main thread is the instance row itself.
OWNER = 14        # a thread row's instance row
TNEXT = 15        # the next live thread in creation order (from the instance row), -1 at the end
PARENT = 16       # the thread whose fork started this branch, -1 for the main thread
NBR = 17          # a joining thread's branches still running
RQN = 18          # the next thread in the instance's ready queue
RQH = 19          # the instance's ready queue: head and tail
RQT = 20
HELD = 21         # a thread's timer came due while its instance was parked: out of the heap
NEXT = 22         # a free row: the next free row; a stream window: its key's older window
# Children (``call``): rows are stored plus one, so a zeroed row holds none.
CHILD = 23        # a thread waiting at a call: its child's row + 1, 0 for none
CALLER = 24       # a child instance: the row + 1 of the thread that called it, 0 for none
LNEXT = 25        # the next instance (row + 1) of the same lane, in start order: children share keys
CNEXT = 26        # an instance in the list of children to cancel: the next one (row + 1)
N_C = 27

# FC (float64), cold
STEP_START = 0
PARK_T = 1        # the clock when the instance parked: it resumes there
END_T = 2
RES_F = 3
VAL_F = 4
RESUME_AT = 5     # a backoff's deadline, from the host
ERR_T = 6         # the clock when the error was raised (for messages that read now())
N_FC = 7

COLD_I = ("START", "ATTEMPT", "PARK", "ACTION", "ERRK", "ERRM", "ERRT", "UNDO", "UNDO_FAILED", "DEFH", "DEFT",
          "ENDPC", "RES", "VAL", "OWNER", "TNEXT", "PARENT", "NBR", "RQN", "RQH", "RQT", "HELD",
          "NEXT", "CHILD", "CALLER", "LNEXT", "CNEXT")
COLD_F = ("STEP_START", "PARK_T", "END_T", "RES_F", "VAL_F", "RESUME_AT", "ERR_T")

# ---------------------------------------------------------------- codes
T_RUN = 0
T_WAITING = 1
T_BACKOFF = 2
T_PARKED = 3
T_DONE = 4
T_FREE = 5        # a thread row not in use
T_JOIN = 6        # at a fork, waiting for its branches
T_READY = 7       # in its instance's ready queue
T_DOOMED = 8      # being cancelled (for a moment)
T_CHILD = 9       # at a call, waiting for its child to end

ST_RUNNING = 0
ST_COMPENSATING = 1
ST_COMPLETED = 2
ST_FAILED = 3
ST_COMPENSATED = 4
ST_CANCELLED = 5  # a child whose caller stopped waiting for it
ST_THREAD = 6     # not an instance: a thread row of one

TK_WAIT = 0
TK_BACKOFF = 1
TK_WINDOW = 2     # a stream window closes

P_CALL = 1        # a plain or batch handler's attempt
P_JITERR = 2      # a jit handler raised: the host learns the exception
P_EVAL = 3        # an instruction only the host can evaluate (strings)
P_GROW = 4        # the compensation arena is full
P_COMPCALL = 5    # a plain or batch compensation's attempt
P_COMPJITERR = 6
P_EMIT_ROOM = 7   # the emitted-event arena is full
P_CHILD = 8       # a thread's child ended: the host decides (its value, or ChildFailed and a retry)
P_ROOM = 9        # no room for a child's rows: the host grows the arrays

A_NONE = 0
A_SUCCESS = 1     # the result is in RES / RES_F
A_RAISE = 2       # raise ERRK/ERRM/ERRT at PC
A_BACKOFF = 3     # wait until RESUME_AT, then attempt again
A_CONTINUE = 4    # the host ran the instruction; go on at PC
A_COMP_POP = 5    # the newest compensation is done (or gave up)
A_COMPLETE = 6    # the host evaluated the complete value: end completed
A_CHILD = 7       # the child completed: its value (for the call's variable) is in RES / RES_F

PC_ESCAPE = -2    # pseudo-pcs of the run loop
PC_COMP = -3
PC_NEXT = -4      # a thread blocked: run the instance's next ready thread

# ---------------------------------------------------------------- scalars (SI, SF) and counters
S_HEAP = 0
S_TSEQ = 1
S_ROWS = 2
S_IB_FREE = 3
S_IB_USED = 4
S_CP_FREE = 5
S_CP_USED = 6
S_DF_FREE = 7
S_DF_USED = 8
S_PK = 9
S_GP = 10
S_TB_USED = 11
S_TB_LIVE = 12
S_INBOX = 13
S_ROUTED = 14     # events routed (input and emitted): the last one's sequence number
S_STOP = 15       # why the agenda stopped short (STOP_*)
S_EM_FREE = 16    # emitted events: the arena's free list, its rows in use, the queue
S_EM_USED = 17
S_EM_HEAD = 18
S_EM_TAIL = 19
S_RQ_HEAD = 20    # the run queue: instances made ready by one routing or timer
S_RQ_TAIL = 21
S_ROW_FREE = 22   # rows of ended reactions and closed windows, reused
S_SV_FREE = 23    # stream values kept for stddev: the arena's free list and rows in use
S_SV_USED = 24
S_RUNT = 25       # deliver_k of a machine with threads: the thread row to run
S_CANCEL = 26     # children whose caller stopped waiting: a list (row + 1) through CNEXT
S_STARTS = 27     # instances started (programs with calls: the start order)
S_TRACE = 28      # 1: record the step trace (a simulation's timings), 0: record nothing
S_TR_USED = 29    # trace records written since the host last read them
N_SI = 30
SF_CLOCK = 0
SF_RUN_T = 1      # the clock of the runs in the run queue (a timer's deadline, or the clock)
N_SF = 4

C_DUPLICATE = 0
C_REJECTED = 1
C_UNROUTED = 2
C_DROPPED = 3
N_COUNTERS = 4

R_DONE = 0        # process(): every event routed
R_GROW = 1        # process(): stopped before an event for want of room

OP_PROCESS = 0    # kernel(): route input events
OP_FIRE = 1       # kernel(): fire timers due by the horizon
OP_RESUME = 2     # kernel(): resume answered instances and replay their deferred events

STOP_NONE = 0
STOP_BARRIER = 1  # an instance whose continuation can emit parked: the host answers it at once
STOP_ROOM = 2     # the arrays need room before the next routing

# ---------------------------------------------------------------- the step trace
# With SI[S_TRACE] set, the kernel writes a record (row, code, arg, machine; time) at each of
# the interpreter's ``Effects`` timing hooks it passes: what ``coord simulate`` measures. The
# host reads them after each kernel call (``runtime/simulation/compiled.py``).
TR_START = 1      # an instance started (arg: its machine)
TR_END = 2        # an instance or a reaction's run ended (arg: its status)
TR_BEGIN = 3      # a step began (arg: the pc of its do, call or wait; TR_COMP + the do's pc for
                  # the compensation the do registered)
TR_OK = 4         # the row's step finished ok
TR_TIMER = 5      # the row's wait ended by its timer
TR_CANCEL = 6     # the row (a branch) was cancelled
TR_FAULT = 7      # a reaction's guard or a stream's aggregate raised: no run started, the event
                  # skipped (arg: the reaction's or the stream's machine)
TR_COMP = 1 << 32

FREE_ROW = 1 << 40  # MACH of a free row
NO_RUN = -100     # deliver_k(): nothing to run
