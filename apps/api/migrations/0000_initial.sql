CREATE TABLE "epoch_zipcodes" (
	"epoch_id" text NOT NULL,
	"zipcode" text NOT NULL,
	"position" integer NOT NULL,
	"expected_listings" integer NOT NULL,
	"state" text NOT NULL,
	"city" text NOT NULL,
	"county" text NOT NULL,
	"market_tier" text NOT NULL,
	"geographic_region" text NOT NULL,
	"is_honeypot" boolean NOT NULL,
	CONSTRAINT "epoch_zipcodes_epoch_id_zipcode_pk" PRIMARY KEY("epoch_id","zipcode")
);
--> statement-breakpoint
CREATE TABLE "epochs" (
	"id" text PRIMARY KEY NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"pending_at" timestamp with time zone NOT NULL,
	"submission_deadline" timestamp with time zone NOT NULL,
	"grace_end_at" timestamp with time zone NOT NULL,
	"validation_end_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"nonce" text NOT NULL,
	"selection_seed" bigint NOT NULL,
	"target_listings" integer NOT NULL,
	"tolerance_percent" real NOT NULL,
	"total_expected_listings" integer NOT NULL,
	"algorithm_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submission_zipcodes" (
	"epoch_id" text NOT NULL,
	"hotkey" text NOT NULL,
	"zipcode" text NOT NULL,
	"listings_scraped" integer NOT NULL,
	"completed_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "submission_zipcodes_epoch_id_hotkey_zipcode_pk" PRIMARY KEY("epoch_id","hotkey","zipcode")
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"epoch_id" text NOT NULL,
	"hotkey" text NOT NULL,
	"status" text NOT NULL,
	"listings_scraped" integer DEFAULT 0 NOT NULL,
	"s3_upload_complete" boolean DEFAULT false NOT NULL,
	"s3_upload_timestamp" timestamp with time zone,
	"manifest" jsonb,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_update_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updates" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "submissions_epoch_id_hotkey_pk" PRIMARY KEY("epoch_id","hotkey")
);
--> statement-breakpoint
CREATE TABLE "zipcode_history" (
	"zipcode" text PRIMARY KEY NOT NULL,
	"expected_listings" integer NOT NULL,
	"observations" integer DEFAULT 0 NOT NULL,
	"last_observed_epoch_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "epoch_zipcodes" ADD CONSTRAINT "epoch_zipcodes_epoch_id_epochs_id_fk" FOREIGN KEY ("epoch_id") REFERENCES "public"."epochs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_epoch_id_epochs_id_fk" FOREIGN KEY ("epoch_id") REFERENCES "public"."epochs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "epoch_zipcodes_zipcode_idx" ON "epoch_zipcodes" USING btree ("zipcode");