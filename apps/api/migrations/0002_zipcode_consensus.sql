CREATE TABLE "zipcode_observations" (
	"epoch_id" text NOT NULL,
	"validator_hotkey" text NOT NULL,
	"zipcode" text NOT NULL,
	"observed_listings" integer NOT NULL,
	"stake" double precision NOT NULL,
	CONSTRAINT "zipcode_observations_epoch_id_validator_hotkey_zipcode_pk" PRIMARY KEY("epoch_id","validator_hotkey","zipcode")
);
--> statement-breakpoint
ALTER TABLE "zipcode_history" ADD COLUMN "base_expected_listings" integer;--> statement-breakpoint
ALTER TABLE "zipcode_observations" ADD CONSTRAINT "zipcode_observations_epoch_id_epochs_id_fk" FOREIGN KEY ("epoch_id") REFERENCES "public"."epochs"("id") ON DELETE cascade ON UPDATE no action;